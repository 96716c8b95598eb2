// Each item's number of positive interactions, for ranking and cold starts; refreshed by each run.
MATCH (i:Item)
CALL (i) {
  SET i.popularity = COUNT { (i)<-[r:INTERACTED]-() WHERE r.weight > 0 }
} IN TRANSACTIONS OF 10000 ROWS
