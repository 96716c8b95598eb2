// Remove one slot's item-to-item edges, to be written afresh by a new run.
MATCH ()-[s:SIMILAR_TO {slot: $slot}]->()
CALL (s) {
  DELETE s
} IN TRANSACTIONS OF 10000 ROWS
