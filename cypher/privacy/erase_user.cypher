// Erases a user: the node (with its embedding vectors), every edge and the texts it wrote.
MATCH (u:User {id: $user_id})
CALL (u) {
  OPTIONAL MATCH (u)-[r:INTERACTED]->()
  RETURN count(r) AS events
}
CALL (u) {
  OPTIONAL MATCH (u)-[e:EXPRESSED]->()
  RETURN count(e) AS expressions
}
OPTIONAL MATCH (u)-[:WROTE]->(t:Text)
WITH u, events, expressions, collect(t) AS texts
FOREACH (t IN texts | DETACH DELETE t)
DETACH DELETE u
RETURN events, expressions, size(texts) AS texts
