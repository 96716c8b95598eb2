// The $limit items nearest the composed query vector in the served slot's item index, not yet
// seen ($k: how many the index is asked for, enough to leave $limit once the seen are out).
CALL db.index.vector.queryNodes($index, $k, $vector) YIELD node, score
WHERE NOT node.id IN $seen AND NOT coalesce(node.placeholder, false)
WITH node.id AS item, 2 * score - 1 AS cosine
  ORDER BY cosine DESC
  LIMIT $limit
RETURN collect([item, cosine]) AS found // one record: far quicker to decode than hundreds
