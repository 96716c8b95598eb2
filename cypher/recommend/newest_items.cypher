// The newest items no one interacted with up to $as_of (not placeholders, not in $seen): what a
// user without a profile is shown as new.
MATCH (i:Item)
WHERE NOT coalesce(i.placeholder, false) AND NOT i.id IN $seen
  AND NOT EXISTS { (i)<-[r:INTERACTED]-() WHERE r.at <= $as_of }
RETURN i.id AS item, i.title AS title, i.created_at AS created_at,
       [(i)-[:IN_CATEGORY]->(c:Category) | c.name] AS categories
ORDER BY i.created_at DESC, i.id
LIMIT $limit
