// Everything held about a user: the node's properties (embedding vectors included), its events,
// what its texts expressed and, when raw text is kept, the texts.
MATCH (u:User {id: $user_id})
RETURN u {.*} AS user,
  COLLECT {
    MATCH (u)-[r:INTERACTED]->(i:Item)
    RETURN r {.*, item_id: i.id} AS event ORDER BY r.at, r.event_id
  } AS events,
  COLLECT {
    MATCH (u)-[e:EXPRESSED]->(n:Interest)
    RETURN e {.*, interest: n.key} AS expression ORDER BY e.at, e.expression_id
  } AS expressions,
  COLLECT {
    MATCH (u)-[:WROTE]->(t:Text)
    RETURN t {.*} AS text ORDER BY t.at, t.text_id
  } AS texts
