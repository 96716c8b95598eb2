// What an item's title and description say it is about (set, not summed: re-analysis is harmless).
UNWIND $rows AS row
MATCH (i:Item {id: row.item_id})
  USING INDEX SEEK i:Item(id)
MATCH (n:Interest {key: row.interest_key})
  USING INDEX SEEK n:Interest(key)
MERGE (i)-[a:ABOUT]->(n)
  ON CREATE SET n.changes = coalesce(n.changes, 0) + 1 // see embeddings/rank_targets
SET a.catalogue_weight = row.weight,
    a.weight = row.weight + coalesce(a.text_weight, 0.0)
