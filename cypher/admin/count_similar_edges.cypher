// The item-to-item edges of one slot that leave the given items (tests check a rewrite replaces).
MATCH (a:Item)-[s:SIMILAR_TO {slot: $slot}]->(:Item)
WHERE a.id IN $items
RETURN count(s) AS edges
