MATCH (c:Category)
WHERE c.name STARTS WITH $prefix
DETACH DELETE c
