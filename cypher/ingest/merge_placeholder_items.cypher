// Items named by events but not (yet) in the catalogue become placeholders.
UNWIND $item_ids AS item_id
MERGE (i:Item {id: item_id})
  ON CREATE SET i.placeholder = true, i.created_at = datetime()
