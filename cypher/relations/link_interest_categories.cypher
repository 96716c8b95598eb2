// Interests whose embedding lies close to a category's name join the category ("sci-fi" → Sci-Fi).
UNWIND $rows AS row
MATCH (c:Category {name: row.name})
  USING INDEX SEEK c:Category(name)
CALL db.index.vector.queryNodes('interest_embedding', $candidates, row.vector) YIELD node, score
WITH c, node, 2 * score - 1 AS similarity
WHERE similarity >= $threshold
MERGE (node)-[r:IN_CATEGORY]->(c)
SET r.similarity = similarity
RETURN count(*) AS linked
