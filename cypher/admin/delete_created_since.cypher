// Tests only: removes the users, items, categories, interests, texts, logged recommendations and
// policy snapshots created at or after $since (users are stored under keyed pseudonyms, so a test
// cannot find its own by an id prefix; the API fuzzer invents ids of its own).
MATCH (n)
WHERE (n:User OR n:Item OR n:Category OR n:Interest OR n:Text OR n:Recommendation
       OR n:PolicySnapshot)
  AND coalesce(n.created_at, n.at) >= $since
CALL (n) {
  // the lists ranked at the last run (embeddings/rank_targets) lose a member
  OPTIONAL MATCH (n:Item)-[:IN_CATEGORY|ABOUT]->(t)
  SET t.changes = coalesce(t.changes, 0) + 1
  WITH DISTINCT n
  DETACH DELETE n
} IN TRANSACTIONS OF 1000 ROWS
