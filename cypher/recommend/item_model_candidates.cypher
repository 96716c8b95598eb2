// Items the item-to-item model (the served slot's SIMILAR_TO edges) predicts from a user's
// history, each history item weighted by its recency and strength; the best $limit not in $seen.
UNWIND $history AS h
MATCH (j:Item {id: h.item})-[s:SIMILAR_TO]->(i:Item)
WHERE s.slot = $slot
WITH i, sum(h.weight * s.weight) AS score
WHERE NOT i.id IN $seen
RETURN i.id AS item, score
ORDER BY score DESC, item
LIMIT $limit
