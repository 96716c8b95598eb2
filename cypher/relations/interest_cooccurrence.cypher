// How often two interests are named in one text, or are what one item is about; and how often each
// is named at all.
CALL () {
  MATCH (u:User)-[e1:EXPRESSED]->(a:Interest)
  MATCH (u)-[e2:EXPRESSED {text_id: e1.text_id}]->(b:Interest)
  WHERE a.key < b.key
  RETURN a.key AS a, b.key AS b, count(*) AS together
  UNION ALL
  MATCH (i:Item)-[:ABOUT]->(a:Interest)
  MATCH (i)-[:ABOUT]->(b:Interest)
  WHERE a.key < b.key
  RETURN a.key AS a, b.key AS b, count(*) AS together
}
WITH a, b, sum(together) AS together
MATCH (x:Interest {key: a})
MATCH (y:Interest {key: b})
RETURN a, b, together,
       COUNT { (x)<-[:EXPRESSED]-() } + COUNT { (x)<-[:ABOUT]-() } AS count_a,
       COUNT { (y)<-[:EXPRESSED]-() } + COUNT { (y)<-[:ABOUT]-() } AS count_b,
       vector.similarity.cosine(x.embedding, y.embedding) AS similarity
