// A run's vectors for Category nodes, into the slot's property (indexed by category_kge_<slot>).
UNWIND $rows AS row
MATCH (n:Category {name: row.id})
  USING INDEX SEEK n:Category(name)
CALL db.create.setNodeVectorProperty(n, $property, row.vector)
