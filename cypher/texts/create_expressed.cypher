// What users wrote, as timestamped edges to the interests it linked to (the text itself is not kept).
UNWIND $rows AS row
MERGE (u:User {id: row.user_id})
  ON CREATE SET u.created_at = datetime()
SET u.updated_at = datetime()  // a new signal: a precomputed ranking no longer holds
WITH u, row
MATCH (n:Interest {key: row.interest_key})
  USING INDEX SEEK n:Interest(key)
CREATE (u)-[:EXPRESSED {
  at: datetime({epochSeconds: row.at_s, nanosecond: row.at_ns}),
  weight: row.weight,
  polarity: row.polarity,
  source: row.source,
  text_id: row.text_id,
  expression_id: row.expression_id,
  surface: row.surface
}]->(n)
