// Interests for the web search box: the interest keyed $text, then those whose key, name or an
// alias holds it (case-insensitive), most mentioned first.
MATCH (n:Interest)
WHERE n.key = $text OR toLower(n.key) CONTAINS toLower($text)
   OR toLower(coalesce(n.name, '')) CONTAINS toLower($text)
   OR any(alias IN coalesce(n.aliases, []) WHERE toLower(alias) CONTAINS toLower($text))
WITH n, COUNT { (n)<-[:EXPRESSED]-() } AS mentions
RETURN n.key AS key, coalesce(n.name, n.key) AS name, mentions
ORDER BY CASE WHEN n.key = $text THEN 0 ELSE 1 END, mentions DESC, n.key
LIMIT $limit
