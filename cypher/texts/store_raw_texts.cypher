// Only when INTERESTS_STORE_RAW_TEXT asks for it: the text itself, as the user wrote it.
UNWIND $rows AS row
MERGE (u:User {id: row.user_id})
  ON CREATE SET u.created_at = datetime()
MERGE (t:Text {user_id: row.user_id, text_id: row.text_id})
  ON CREATE SET t.body = row.body,
                t.created_at = datetime(),
                t.source = row.source,
                t.at = datetime({epochSeconds: row.at_s, nanosecond: row.at_ns})
MERGE (u)-[:WROTE]->(t)
