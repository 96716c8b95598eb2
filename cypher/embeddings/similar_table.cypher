// A slot's item-to-item edges, per item: what embeddings.item_table holds in memory.
MATCH (a:Item)-[s:SIMILAR_TO]->(b:Item)
WHERE s.slot = $slot
RETURN a.id AS item, collect(b.id) AS similar, collect(s.weight) AS weights
