// A user's signals in [$since, $until], oldest first, as columns (at: epoch seconds with the
// fraction; second: whole; item: '' for a text): each event with its item, the item's categories
// and its ABOUT interests as [weight, key, evidenced] (evidenced: a text about the item or its
// description says so, not its title alone; the caller keeps the strongest), each expressed
// interest with that interest and its categories. Pattern comprehensions: faster here than a
// COLLECT subquery per row.
MATCH (u:User {id: $user_id})
  USING INDEX SEEK u:User(id)
CALL (u) {
  MATCH (u)-[r:INTERACTED]->(i:Item)
  WHERE $since <= r.at <= $until
  RETURN r.at AS at, r.weight AS weight, 'event' AS source, i.id AS item,
         [(i)-[:IN_CATEGORY]->(c:Category) | 'category:' + c.name] AS targets,
         [(i)-[a:ABOUT]->(n:Interest) |
            [a.weight, 'interest:' + n.key,
             coalesce(a.text_weight, 0.0) > 0 OR coalesce(i.description, '') <> '']] AS about
  UNION ALL
  MATCH (u)-[e:EXPRESSED]->(n:Interest)
  WHERE $since <= e.at <= $until
  RETURN e.at AS at, e.weight * e.polarity AS weight, 'text' AS source, null AS item,
         ['interest:' + n.key] + [(n)-[:IN_CATEGORY]->(c:Category) | 'category:' + c.name] AS targets,
         [] AS about
}
WITH at, weight, source, item, targets, about
  ORDER BY at
// one record of columns, not a record per signal: far less to decode for a long history
RETURN collect(at.epochSeconds + at.nanosecond / 1e9) AS at, collect(at.epochSeconds) AS second,
       collect(weight) AS weight, collect(source) AS source, collect(coalesce(item, '')) AS item,
       collect(targets) AS targets, collect(about) AS about
