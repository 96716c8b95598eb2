// Benchmarks only: removes every interaction and expression in small batches (a user's thousands
// of edges in one transaction can exceed Neo4j's memory pool), before the users go.
MATCH (:User)-[r:INTERACTED|EXPRESSED]->()
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS
