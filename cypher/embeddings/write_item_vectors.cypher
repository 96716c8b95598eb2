// A run's vectors for Item nodes, into the slot's property (indexed by item_kge_<slot>).
UNWIND $rows AS row
MATCH (n:Item {id: row.id})
  USING INDEX SEEK n:Item(id)
CALL db.create.setNodeVectorProperty(n, $property, row.vector)
