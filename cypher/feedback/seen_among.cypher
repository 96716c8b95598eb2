// Which of these items the user has interacted with.
MATCH (u:User {id: $user_id})-[:INTERACTED]->(i:Item)
WHERE i.id IN $item_ids
RETURN collect(DISTINCT i.id) AS seen
