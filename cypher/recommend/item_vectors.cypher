// Vectors of items in a slot (missing ones are left out).
UNWIND $ids AS id
MATCH (i:Item {id: id})
  USING INDEX SEEK i:Item(id)
WITH i WHERE i[$property] IS NOT NULL
RETURN collect([i.id, i[$property]]) AS vectors // one record: far quicker to decode
