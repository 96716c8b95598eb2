// Titles, categories and popularity of items, for ranking and answers.
UNWIND $ids AS id
MATCH (i:Item {id: id})
  USING INDEX SEEK i:Item(id)
RETURN i.id AS item, i.title AS title, coalesce(i.popularity, 0) AS popularity,
       [(i)-[:IN_CATEGORY]->(c:Category) | c.name] AS categories
