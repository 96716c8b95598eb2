// Retention: events older than $before go, in batches.
MATCH ()-[r:INTERACTED]->()
WHERE r.at < $before
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 5000 ROWS
RETURN count(*) AS removed
