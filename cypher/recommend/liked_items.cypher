// The user's positive interactions up to $as_of, newest first: the anchors of explanations.
MATCH (u:User {id: $user_id})-[r:INTERACTED]->(i:Item)
WHERE r.weight > 0 AND r.at <= $as_of
RETURN i.id AS item, i.title AS title, r.at AS at, r.kind AS kind, r.value AS value
ORDER BY r.at DESC
LIMIT $limit
