// Items for the web search box: the item whose id is $text, then those whose title holds it
// (case-insensitive), most interacted first.
MATCH (i:Item)
WHERE i.id = $text OR toLower(i.title) CONTAINS toLower($text)
WITH i, COUNT { (i)<-[:INTERACTED]-() } AS interactions
RETURN i.id AS id, i.title AS title, interactions
ORDER BY CASE WHEN i.id = $text THEN 0 ELSE 1 END, interactions DESC, i.id
LIMIT $limit
