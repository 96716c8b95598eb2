// What a user's texts expressed: one row per EXPRESSED edge, oldest first.
MATCH (:User {id: $user_id})-[e:EXPRESSED]->(n:Interest)
RETURN n.key AS interest_key, e.text_id AS text_id, e.at AS at, e.weight AS weight,
       e.polarity AS polarity, e.source AS source, e.surface AS surface
ORDER BY at, text_id, interest_key
