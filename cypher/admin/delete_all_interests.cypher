// Benchmarks only: removes every interest with its edges, in batches.
MATCH (n:Interest)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 1000 ROWS
