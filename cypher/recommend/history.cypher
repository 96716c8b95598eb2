// A user's interactions up to $as_of, oldest first (ties by item id): the items seen, and the
// history the item-to-item source walks from.
MATCH (u:User {id: $user_id})-[r:INTERACTED]->(i:Item)
WHERE r.at <= $as_of
RETURN i.id AS item, r.weight AS weight, r.at.epochSeconds AS at
ORDER BY r.at, i.id
