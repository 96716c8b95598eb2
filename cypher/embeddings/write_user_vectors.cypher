// A run's vectors for User nodes, into the slot's property (indexed by user_kge_<slot>).
UNWIND $rows AS row
MATCH (n:User {id: row.id})
  USING INDEX SEEK n:User(id)
CALL db.create.setNodeVectorProperty(n, $property, row.vector)
