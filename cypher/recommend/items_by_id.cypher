// Titles, popularity and categories of items, for ranking and answers: one record, a row per item
// found (one record decodes far faster than hundreds).
UNWIND $ids AS id
MATCH (i:Item {id: id})
  USING INDEX SEEK i:Item(id)
RETURN collect([i.id, i.title, coalesce(i.popularity, 0),
                [(i)-[:IN_CATEGORY]->(c:Category) | c.name]]) AS items
