// Each item's number of positive interactions (its popularity), for ranking and cold starts, and
// its appeal: the mean signed weight of its interactions shrunk towards neutral by ten neutral
// ones (a film with three top ratings is not the best liked); refreshed by each run.
MATCH (i:Item)
CALL (i) {
  OPTIONAL MATCH (i)<-[r:INTERACTED]-()
  WITH i, count(r) AS taken, sum(CASE WHEN r.weight > 0 THEN 1 ELSE 0 END) AS positive,
       sum(coalesce(r.weight, 0.0)) AS weights
  SET i.popularity = positive, i.appeal = weights / (taken + 10.0)
} IN TRANSACTIONS OF 10000 ROWS
