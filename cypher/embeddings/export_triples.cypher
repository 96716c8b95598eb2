// Every triple the graph embeddings learn from, streamed: positive interactions and expressions,
// what items are about, categories of items and interests, related interests. Node ids carry a
// label prefix (u:, i:, n:, c:) so that one id space holds them all. A user's repeated
// interactions (expressions) are one triple, made distinct user by user: a DISTINCT over every
// pair would hold them all in the transaction's memory (5 million overran Neo4j's limit).
// $until maps a user id to the instant from which that user's interactions and expressions are
// held out (a run's validation split, embeddings.holdout); users not in it give everything.
CALL () {
  MATCH (u:User)
  CALL (u) {
    MATCH (u)-[r:INTERACTED]->(i:Item)
    WHERE r.weight > 0 AND ($until[u.id] IS NULL OR r.at < $until[u.id])
    RETURN DISTINCT i.id AS item
  }
  RETURN 'u:' + u.id AS head, 'interacted' AS relation, 'i:' + item AS tail
  UNION ALL
  MATCH (u:User)
  CALL (u) {
    MATCH (u)-[e:EXPRESSED]->(n:Interest)
    WHERE e.polarity > 0 AND ($until[u.id] IS NULL OR e.at < $until[u.id])
    RETURN DISTINCT n.key AS key
  }
  RETURN 'u:' + u.id AS head, 'expressed' AS relation, 'n:' + key AS tail
  UNION ALL
  MATCH (i:Item)-[:ABOUT]->(n:Interest)
  RETURN 'i:' + i.id AS head, 'about' AS relation, 'n:' + n.key AS tail
  UNION ALL
  MATCH (i:Item)-[:IN_CATEGORY]->(c:Category)
  RETURN 'i:' + i.id AS head, 'in_category' AS relation, 'c:' + c.name AS tail
  UNION ALL
  MATCH (n:Interest)-[:IN_CATEGORY]->(c:Category)
  RETURN 'n:' + n.key AS head, 'in_category' AS relation, 'c:' + c.name AS tail
  UNION ALL
  MATCH (a:Interest)-[:RELATED_TO]->(b:Interest)
  RETURN 'n:' + a.key AS head, 'related_to' AS relation, 'n:' + b.key AS tail
}
RETURN head, relation, tail
