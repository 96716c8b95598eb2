// What a text about an item says the item is about: text_weight sums the phrases' scores over
// texts; weight adds the catalogue's own (see relations/merge_catalogue_about).
UNWIND $rows AS row
MERGE (i:Item {id: row.item_id})
  ON CREATE SET i.placeholder = true, i.created_at = datetime()
WITH i, row
MATCH (n:Interest {key: row.interest_key})
  USING INDEX SEEK n:Interest(key)
MERGE (i)-[a:ABOUT]->(n)
  ON CREATE SET a.text_weight = 0.0, a.mentions = 0,
                n.changes = coalesce(n.changes, 0) + 1 // see embeddings/rank_targets
SET a.text_weight = coalesce(a.text_weight, 0.0) + row.weight,
    a.mentions = coalesce(a.mentions, 0) + 1,
    a.weight = coalesce(a.catalogue_weight, 0.0) + coalesce(a.text_weight, 0.0) + row.weight
