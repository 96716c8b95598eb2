// Items liked, up to $as_of, by the users whose vectors lie nearest the user's, not yet seen.
CALL db.index.vector.queryNodes($index, $users, $vector) YIELD node AS other, score
WHERE other.id <> $user_id
MATCH (other)-[r:INTERACTED]->(i:Item)
WHERE r.weight > 0 AND r.at <= $as_of AND NOT i.id IN $seen
WITH i.id AS item, sum(2 * score - 1) AS support, count(DISTINCT other) AS users
  ORDER BY support DESC
  LIMIT $limit
RETURN collect([item, support, users]) AS found // one record: far quicker to decode
