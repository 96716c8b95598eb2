// What the web overview counts: nodes and edges of each kind (Neo4j answers these from its count
// store), and the events and text expressions whose instants fall in the last $window_s seconds.
CALL { MATCH (u:User) RETURN count(u) AS users }
CALL { MATCH (i:Item) RETURN count(i) AS items }
CALL { MATCH (n:Interest) RETURN count(n) AS interests }
CALL { MATCH (c:Category) RETURN count(c) AS categories }
CALL { MATCH ()-[e:INTERACTED]->() RETURN count(e) AS events }
CALL { MATCH ()-[x:EXPRESSED]->() RETURN count(x) AS expressions }
CALL { MATCH (t:Text) RETURN count(t) AS texts }
CALL { MATCH (r:Recommendation) RETURN count(r) AS recommendations }
CALL {
  MATCH ()-[e:INTERACTED]->()
  WHERE e.at >= datetime() - duration({seconds: $window_s})
  RETURN count(e) AS recent_events
}
CALL {
  MATCH ()-[x:EXPRESSED]->()
  WHERE x.at >= datetime() - duration({seconds: $window_s})
  RETURN count(x) AS recent_expressions
}
RETURN users, items, interests, categories, events, expressions, texts, recommendations,
       recent_events, recent_expressions
