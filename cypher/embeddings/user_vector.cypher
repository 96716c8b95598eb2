// A user's vector in a slot, or, when the user came after the run, the mean of the vectors of
// the items they interacted with positively (the fallback until the next run).
MATCH (u:User {id: $user_id})
  USING INDEX SEEK u:User(id)
OPTIONAL MATCH (u)-[r:INTERACTED]->(i:Item)
  WHERE u[$property] IS NULL AND r.weight > 0 AND i[$property] IS NOT NULL
WITH u, collect(i[$property]) AS neighbours
RETURN u[$property] AS own, neighbours
