// The best liked items of every category (up to $per_category each; by appeal, then popularity):
// where the policy looks beyond a user's ranking, to follow what their feedback says and to
// explore.
MATCH (c:Category)<-[:IN_CATEGORY]-(i:Item)
WHERE coalesce(i.popularity, 0) > 0 AND NOT coalesce(i.placeholder, false)
WITH c, i ORDER BY coalesce(i.appeal, 0.0) DESC, i.popularity DESC, i.id
WITH c, collect(i)[..$per_category] AS items
UNWIND items AS i
RETURN c.name AS category, i.id AS item, i.title AS title, i.popularity AS popularity,
       [(i)-[:IN_CATEGORY]->(other:Category) | other.name] AS categories
ORDER BY category, coalesce(i.appeal, 0.0) DESC, popularity DESC, item
