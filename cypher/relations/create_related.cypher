UNWIND $rows AS row
MATCH (a:Interest {key: row.a})
  USING INDEX SEEK a:Interest(key)
MATCH (b:Interest {key: row.b})
  USING INDEX SEEK b:Interest(key)
CREATE (a)-[:RELATED_TO {weight: row.weight, together: row.together, similarity: row.similarity}]->(b)
