// The items with the most positive interactions in [$since, $as_of], then the most popular
// overall: what a user with no history is shown.
CALL () {
  MATCH (:User)-[r:INTERACTED]->(i:Item)
  WHERE $since <= r.at <= $as_of AND r.weight > 0
  RETURN i, count(*) AS recent
  UNION ALL
  MATCH (i:Item)
  WHERE i.popularity > 0
  RETURN i, 0 AS recent
  ORDER BY i.popularity DESC
  LIMIT $limit + size($seen)
}
WITH i, max(recent) AS recent
WHERE NOT i.id IN $seen AND NOT coalesce(i.placeholder, false)
RETURN i.id AS item, recent, coalesce(i.popularity, 0) AS popularity
ORDER BY recent DESC, popularity DESC, item
LIMIT $limit
