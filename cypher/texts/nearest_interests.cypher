// The nearest interest to each phrase by embedding. The cosine index scores (1 + cos) / 2.
UNWIND $rows AS row
CALL db.index.vector.queryNodes('interest_embedding', 1, row.vector) YIELD node, score
RETURN row.key AS key, node.key AS interest_key, node.name AS name, 2 * score - 1 AS cosine
