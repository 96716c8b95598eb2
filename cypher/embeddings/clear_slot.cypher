// Remove one slot's vectors from every node, to be written afresh by a new run.
MATCH (n:User|Item|Interest|Category)
WHERE n[$property] IS NOT NULL
CALL (n) {
  SET n[$property] = null
} IN TRANSACTIONS OF 10000 ROWS
