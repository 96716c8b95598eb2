// Benchmarks only: removes every user with their interactions, in batches.
MATCH (u:User)
CALL (u) {
  DETACH DELETE u
} IN TRANSACTIONS OF 500 ROWS
