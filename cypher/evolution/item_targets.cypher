// What items reach in a profile: their categories and their ABOUT interests as [weight, key].
UNWIND $ids AS id
MATCH (i:Item {id: id})
  USING INDEX SEEK i:Item(id)
RETURN i.id AS item, i.title AS title,
       [(i)-[:IN_CATEGORY]->(c:Category) | 'category:' + c.name] AS categories,
       [(i)-[a:ABOUT]->(n:Interest) | [a.weight, 'interest:' + n.key]] AS about
