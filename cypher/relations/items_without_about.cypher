// Catalogue items whose title and description have not been analysed since they last changed.
MATCH (i:Item)
WHERE coalesce(i.placeholder, false) = false AND i.title IS NOT NULL AND i.about_extracted IS NULL
RETURN i.id AS id, i.title AS title, i.description AS description
ORDER BY id
LIMIT $limit
