// How many catalogue items relations/items_without_about has yet to hand out (for progress).
MATCH (i:Item)
WHERE coalesce(i.placeholder, false) = false AND i.title IS NOT NULL AND i.about_extracted IS NULL
RETURN count(i) AS count
