// A run's vectors for Interest nodes, into the slot's property (indexed by interest_kge_<slot>).
UNWIND $rows AS row
MATCH (n:Interest {key: row.id})
  USING INDEX SEEK n:Interest(key)
CALL db.create.setNodeVectorProperty(n, $property, row.vector)
