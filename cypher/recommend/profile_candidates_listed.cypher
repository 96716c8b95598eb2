// The fast way to recommend/profile_candidates: each profile target's list ranked at the last run
// (embeddings/rank_targets), while it holds, walked in its order until $per_target unseen items
// are found (the walk stops there). Per target: whether its list holds, whether the list has
// every member, and the items found in ranking order with their popularity. The caller asks
// recommend/profile_candidates for the targets whose list does not hold or ran out.
OPTIONAL MATCH (p:Meta {key: 'popularity'})
WITH coalesce(p.version, 0) AS popularity
UNWIND $targets AS t
OPTIONAL MATCH (c:Category {name: t.key})
  WHERE t.type = 'category'
OPTIONAL MATCH (n:Interest {key: t.key})
  WHERE t.type = 'interest'
WITH t, popularity, coalesce(c, n) AS target
WITH t, target,
     target.top IS NOT NULL AND target.top_changes = coalesce(target.changes, 0)
       AND target.top_popularity = popularity AS holds
CALL (target, holds) {
  UNWIND CASE WHEN holds THEN target.top ELSE [] END AS id
  MATCH (i:Item {id: id})
    USING INDEX SEEK i:Item(id)
  WHERE NOT id IN $seen AND NOT coalesce(i.placeholder, false)
    AND (i)-[:IN_CATEGORY|ABOUT]->(target)
  WITH i LIMIT $per_target
  RETURN collect([i.id, coalesce(i.popularity, 0)]) AS found
}
RETURN t.type AS type, t.key AS key, holds, coalesce(target.top_complete, false) AS complete, found
