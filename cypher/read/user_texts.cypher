// The raw texts kept for a user (only with INTERESTS_STORE_RAW_TEXT).
MATCH (:User {id: $user_id})-[:WROTE]->(t:Text)
RETURN t.text_id AS text_id, t.body AS body, t.source AS source, t.at AS at
ORDER BY at DESC
