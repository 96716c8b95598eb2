// Exact links: the interests whose key is one of $keys, and whether each has its embedding yet.
UNWIND $keys AS key
MATCH (n:Interest {key: key})
  USING INDEX SEEK n:Interest(key)
RETURN key, n.name AS name, n.embedding IS NOT NULL AS embedded
