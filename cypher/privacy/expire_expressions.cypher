// Retention: what texts expressed before $before goes, in batches.
MATCH ()-[e:EXPRESSED]->()
WHERE e.at < $before
CALL (e) {
  DELETE e
} IN TRANSACTIONS OF 5000 ROWS
RETURN count(*) AS removed
