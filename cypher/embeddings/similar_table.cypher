// A slot's item-to-item edges, per item: what embeddings.item_table holds in memory. Collected
// item by item, so that the server holds one item's edges at a time, not a map of them all
// (grouped over every edge at once, five million of them overran a 1 GB heap).
MATCH (a:Item)
CALL (a) {
  MATCH (a)-[s:SIMILAR_TO]->(b:Item)
  WHERE s.slot = $slot
  RETURN collect(b.id) AS similar, collect(s.weight) AS weights
}
WITH a, similar, weights
WHERE size(similar) > 0
RETURN a.id AS item, similar, weights
