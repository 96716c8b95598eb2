MATCH (c:Category)
RETURN c.name AS name
ORDER BY name
