// Items nearest an item in the served slot's item index.
MATCH (i:Item {id: $item_id})
  USING INDEX SEEK i:Item(id)
WITH i WHERE i[$property] IS NOT NULL
CALL db.index.vector.queryNodes($index, $k + 1, i[$property]) YIELD node, score
WHERE node <> i
RETURN node.id AS item, 2 * score - 1 AS cosine
ORDER BY cosine DESC
LIMIT $k
