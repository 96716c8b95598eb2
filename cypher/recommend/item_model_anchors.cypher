// For each of $items, the history item that contributed most to its item-to-item score.
UNWIND $history AS h
MATCH (j:Item {id: h.item})-[s:SIMILAR_TO]->(i:Item)
WHERE s.slot = $slot AND i.id IN $items
WITH i, j, h.weight * s.weight AS part
ORDER BY part DESC
WITH i, collect({item: j.id, title: j.title, part: part})[0] AS best
RETURN i.id AS item, best.item AS anchor, best.title AS title, best.part AS part
