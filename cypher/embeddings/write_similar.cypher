// A run's item-to-item weights (embeddings.item_similarity) as SIMILAR_TO edges of its slot.
UNWIND $rows AS row
MATCH (a:Item {id: row.item})
  USING INDEX SEEK a:Item(id)
UNWIND row.similar AS similar
MATCH (b:Item {id: similar.item})
CREATE (a)-[:SIMILAR_TO {slot: $slot, weight: similar.weight}]->(b)
