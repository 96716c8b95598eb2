// Tests only: how many nodes carry the property $key.
MATCH (n)
WHERE n[$key] IS NOT NULL
RETURN count(n) AS count
