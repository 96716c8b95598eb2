MATCH (i:Item {id: $item_id})
  USING INDEX SEEK i:Item(id)
RETURN i.id AS id,
       i.title AS title,
       i.description AS description,
       coalesce(i.placeholder, false) AS placeholder,
       COLLECT { MATCH (i)-[:IN_CATEGORY]->(c:Category) RETURN c.name ORDER BY c.name } AS categories,
       COUNT { (i)<-[:INTERACTED]-() } AS interactions
