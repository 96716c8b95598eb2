// Without embeddings: items liked by the users who liked this one, by how many.
MATCH (i:Item {id: $item_id})<-[r:INTERACTED]-(u:User)-[s:INTERACTED]->(j:Item)
WHERE r.weight > 0 AND s.weight > 0 AND j <> i
RETURN j.id AS item, count(DISTINCT u) AS users
ORDER BY users DESC, item
LIMIT $k
