// Retention: raw texts written before $before go, in batches.
MATCH (t:Text)
WHERE t.at < $before
CALL (t) {
  DETACH DELETE t
} IN TRANSACTIONS OF 5000 ROWS
RETURN count(*) AS removed
