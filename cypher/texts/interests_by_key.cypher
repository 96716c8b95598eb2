// Exact links: the interests whose key is one of $keys.
UNWIND $keys AS key
MATCH (n:Interest {key: key})
  USING INDEX SEEK n:Interest(key)
RETURN key, n.name AS name
