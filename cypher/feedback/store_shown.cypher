// What policies showed, a batch of answers: one Recommendation per answer (stamped with the
// instant of the answer), a SHOWED edge per item with its position, the propensity with which the
// policy put it in the list, whether it explored, and what the policy knew of it (its features,
// its predicted reward, whether the current ranking shows it). An answer already logged is
// skipped (a retried batch); one for a user who existed when answered and is gone now (erased
// since) is dropped, not brought back. The answers come sorted by user and the edges are made in
// the order of their items, so that two workers' batches lock shared nodes in one order.
UNWIND $answers AS a
OPTIONAL MATCH (known:User {id: a.user_id})
WITH a, known
WHERE (known IS NOT NULL OR NOT a.known)
  AND NOT EXISTS { MATCH (:Recommendation {id: a.id}) }
MERGE (u:User {id: a.user_id})
  ON CREATE SET u.created_at = datetime()
CREATE (u)-[:WAS_SHOWN]->(r:Recommendation {
  id: a.id, at: a.at, policy: a.policy, version: a.version, k: a.k, candidates: a.candidates,
  explore_rate: a.explore_rate, shared: a.shared, dm_current: a.dm_current,
  dm_random: a.dm_random
})
WITH collect({r: r, items: a.items}) AS made
CALL (made) {
  UNWIND made AS m
  UNWIND m.items AS row
  WITH m.r AS r, row
  ORDER BY row.item_id
  MATCH (i:Item {id: row.item_id})
    USING INDEX SEEK i:Item(id)
  CREATE (r)-[:SHOWED {
    position: row.position, propensity: row.propensity, explored: row.explored,
    features: row.features, predicted: row.predicted, current: row.current,
    categories: row.categories
  }]->(i)
}
RETURN size(made) AS logged
