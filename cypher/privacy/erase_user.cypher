// Erases a user: the node (with its embedding vectors and the policy's state of it), every edge,
// the texts it wrote and the recommendations shown to it (with the feedback on them).
MATCH (u:User {id: $user_id})
CALL (u) {
  OPTIONAL MATCH (u)-[r:INTERACTED]->()
  RETURN count(r) AS events
}
CALL (u) {
  OPTIONAL MATCH (u)-[e:EXPRESSED]->()
  RETURN count(e) AS expressions
}
CALL (u) {
  OPTIONAL MATCH (u)-[:WAS_SHOWN]->(r:Recommendation)
  WITH collect(r) AS shown
  FOREACH (r IN shown | DETACH DELETE r)
  RETURN size(shown) AS recommendations
}
OPTIONAL MATCH (u)-[:WROTE]->(t:Text)
WITH u, events, expressions, recommendations, collect(t) AS texts
FOREACH (t IN texts | DETACH DELETE t)
DETACH DELETE u
RETURN events, expressions, size(texts) AS texts, recommendations
