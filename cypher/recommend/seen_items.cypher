// The items a user interacted with up to $as_of.
MATCH (u:User {id: $user_id})-[r:INTERACTED]->(i:Item)
WHERE r.at <= $as_of
RETURN collect(DISTINCT i.id) AS items
