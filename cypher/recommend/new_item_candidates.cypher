// New items for a profile, best first: items no one interacted with up to $as_of (not
// placeholders, not in $seen) that reach one of the profile's targets through IN_CATEGORY or
// ABOUT (the newest $limit of them), each scored by the cosine between the profile's target
// strengths ($strengths, of norm $norm) and the item's target weights: each target's inverse
// document frequency over the catalogue, times $about_factor for an interest (service.new_items'
// target_weights and cosine_parts, here so that only the best $k travel). Ties: newest, then id.
// Interests too have IN_CATEGORY edges: a category's frequency counts its items, once per category.
CALL () {
  MATCH (x:Item)
  RETURN toFloat(count(x)) AS catalogue
}
CALL () {
  UNWIND $targets AS t
  CALL (t) {
    MATCH (:Category {name: t.key})<-[:IN_CATEGORY]-(i:Item)
    WHERE t.type = 'category'
    RETURN i
    UNION
    MATCH (:Interest {key: t.key})<-[:ABOUT]-(i:Item)
    WHERE t.type = 'interest'
    RETURN i
  }
  WITH DISTINCT i
  WHERE NOT coalesce(i.placeholder, false) AND NOT i.id IN $seen
    AND NOT EXISTS { (i)<-[r:INTERACTED]-() WHERE r.at <= $as_of }
  WITH i
  ORDER BY i.created_at DESC, i.id
  LIMIT $limit
  RETURN collect(i) AS items
}
CALL (items) {
  UNWIND items AS i
  MATCH (i)-[:IN_CATEGORY]->(c:Category)
  WITH DISTINCT c
  RETURN collect([c.name, COUNT { (c)<-[:IN_CATEGORY]-(:Item) }]) AS frequency
}
UNWIND range(0, size(items) - 1) AS order
WITH catalogue, frequency, items[order] AS i, order
WITH i, order,
     [(i)-[:IN_CATEGORY]->(c:Category) |
       ['category:' + c.name, log(catalogue / [f IN frequency WHERE f[0] = c.name][0][1])]]
     + [(i)-[:ABOUT]->(n:Interest) |
       ['interest:' + n.key, $about_factor * log(catalogue / COUNT { (n)<-[:ABOUT]-() })]]
     AS weights
WITH i, order, weights,
     reduce(dot = 0.0, w IN weights | dot + w[1] * coalesce($strengths[w[0]], 0.0)) AS dot
WHERE dot > 0
WITH i, order, weights,
     dot / ($norm * sqrt(reduce(s = 0.0, w IN weights | s + w[1] * w[1]))) AS score
ORDER BY round(score, 12) DESC, order
LIMIT $k
RETURN i.id AS item, i.title AS title, i.created_at AS created_at, score, weights
