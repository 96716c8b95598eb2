// What a policy showed: one Recommendation per answer, a SHOWED edge per item with its position,
// the propensity with which the policy put it in the list, whether it explored, and what the
// policy knew of it (its features, its predicted reward, whether the current ranking shows it).
MERGE (u:User {id: $user_id})
  ON CREATE SET u.created_at = datetime()
CREATE (u)-[:WAS_SHOWN]->(r:Recommendation {
  id: $id, at: datetime(), policy: $policy, version: $version, k: $k, candidates: $candidates,
  explore_rate: $explore_rate, shared: $shared, dm_current: $dm_current, dm_random: $dm_random
})
WITH r
CALL (r) {
  UNWIND $items AS row
  MATCH (i:Item {id: row.item_id})
    USING INDEX SEEK i:Item(id)
  CREATE (r)-[:SHOWED {
    position: row.position, propensity: row.propensity, explored: row.explored,
    features: row.features, predicted: row.predicted, current: row.current,
    categories: row.categories
  }]->(i)
}
RETURN r.at AS at
