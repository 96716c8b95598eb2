// Tests only: every node or relationship property (text, or list of text) that contains $needle.
CALL () {
  MATCH (n)
  UNWIND keys(n) AS key
  RETURN labels(n) AS owner, key, n[key] AS value
  UNION ALL
  MATCH ()-[r]->()
  UNWIND keys(r) AS key
  RETURN [type(r)] AS owner, key, r[key] AS value
}
WITH owner, key, value
WHERE (value IS :: STRING AND value CONTAINS $needle)
   OR (value IS :: LIST<STRING NOT NULL> AND any(text IN value WHERE text CONTAINS $needle))
RETURN owner, key, value
