// Canonical interests, created on first sight with their embedding (a row carries one only where it
// becomes the interest's); surface forms kept as aliases.
UNWIND $rows AS row
MERGE (n:Interest {key: row.key})
  ON CREATE SET n.name = row.name, n.aliases = [], n.created_at = datetime()
WITH n, row
CALL (n, row) {
  WITH n, row
  WHERE n.embedding IS NULL AND row.embedding IS NOT NULL
  CALL db.create.setNodeVectorProperty(n, 'embedding', row.embedding)
}
SET n.aliases = CASE
  WHEN row.alias = n.key OR row.alias IN n.aliases THEN n.aliases
  ELSE n.aliases + row.alias
END
