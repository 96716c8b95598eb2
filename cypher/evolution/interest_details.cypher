// Names and embeddings of interests, for naming and clustering a profile's facets.
UNWIND $keys AS key
MATCH (n:Interest {key: key})
  USING INDEX SEEK n:Interest(key)
RETURN n.key AS key, n.name AS name, n.embedding AS embedding
