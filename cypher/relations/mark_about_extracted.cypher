UNWIND $item_ids AS item_id
MATCH (i:Item {id: item_id})
  USING INDEX SEEK i:Item(id)
SET i.about_extracted = datetime()
