// Retention: logged recommendations older than $before go with what they showed, in batches.
MATCH (r:Recommendation)
WHERE r.at < $before
CALL (r) {
  DETACH DELETE r
} IN TRANSACTIONS OF 1000 ROWS
RETURN count(*) AS removed
