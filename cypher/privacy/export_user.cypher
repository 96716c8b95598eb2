// Everything held about a user: the node's properties (embedding vectors and the policy's state
// included), its events, what its texts expressed, when raw text is kept the texts, and the
// recommendations shown to it with what it did with each item.
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
  } AS texts,
  COLLECT {
    MATCH (u)-[:WAS_SHOWN]->(r:Recommendation)
    RETURN r {.id, .at, .policy, .version, .k,
              items: COLLECT {
                MATCH (r)-[s:SHOWED]->(i:Item)
                RETURN s {item_id: i.id, .position, .propensity, .explored, .impressed_at,
                          .clicked_at, .dwell_s, .skipped_at, .disliked_at, .reward}
                ORDER BY s.position
              }} AS recommendation
    ORDER BY r.at, r.id
  } AS recommendations
