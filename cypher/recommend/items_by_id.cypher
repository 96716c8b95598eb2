// Titles and categories of items, for answers.
UNWIND $ids AS id
MATCH (i:Item {id: id})
  USING INDEX SEEK i:Item(id)
RETURN i.id AS item, i.title AS title,
       [(i)-[:IN_CATEGORY]->(c:Category) | c.name] AS categories
