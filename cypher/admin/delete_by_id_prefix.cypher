// Removes users and items whose id starts with $prefix, with their edges (used by tests and demos
// that write under their own id prefix).
MATCH (n)
WHERE (n:User OR n:Item) AND n.id STARTS WITH $prefix
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 1000 ROWS
