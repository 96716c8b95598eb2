// Benchmarks only: removes every user with their interactions, the recommendations shown to
// them and the policy's saved models (learnt from those users), in batches.
MATCH (n)
WHERE n:User OR n:Recommendation OR n:PolicySnapshot
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 500 ROWS
