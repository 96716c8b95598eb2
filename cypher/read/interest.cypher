MATCH (n:Interest {key: $key})
  USING INDEX SEEK n:Interest(key)
RETURN n.key AS key,
       n.name AS name,
       coalesce(n.aliases, []) AS aliases,
       COLLECT {
         MATCH (n)-[r:RELATED_TO]-(m:Interest)
         RETURN {key: m.key, name: m.name, weight: r.weight} AS related
         ORDER BY r.weight DESC LIMIT 20
       } AS related,
       COLLECT { MATCH (n)-[:IN_CATEGORY]->(c:Category) RETURN c.name ORDER BY c.name } AS categories,
       COUNT { (n)<-[e:EXPRESSED]-() WHERE e.polarity > 0 } AS positive_mentions,
       COUNT { (n)<-[e:EXPRESSED]-() WHERE e.polarity < 0 } AS negative_mentions
