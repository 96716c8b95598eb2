// Vectors of items in a slot (missing ones are left out).
UNWIND $ids AS id
MATCH (i:Item {id: id})
  USING INDEX SEEK i:Item(id)
WITH i WHERE i[$property] IS NOT NULL
RETURN i.id AS item, i[$property] AS vector
