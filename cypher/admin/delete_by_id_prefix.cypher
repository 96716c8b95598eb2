// Removes users and items whose id starts with $prefix, with their edges (used by tests and demos
// that write under their own id prefix).
MATCH (n)
WHERE (n:User OR n:Item) AND n.id STARTS WITH $prefix
CALL (n) {
  // the lists ranked at the last run (embeddings/rank_targets) lose a member
  OPTIONAL MATCH (n:Item)-[:IN_CATEGORY|ABOUT]->(t)
  SET t.changes = coalesce(t.changes, 0) + 1
  WITH DISTINCT n
  DETACH DELETE n
} IN TRANSACTIONS OF 1000 ROWS
