// The signals of each of $users in [$since, $until], as evolution/user_signals reads them for
// one user: per user, the rows oldest first (each event with its item's categories and ABOUT
// pairs, each expressed interest with that interest and its categories), collected in order.
UNWIND $users AS user_id
MATCH (u:User {id: user_id})
CALL (u) {
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
  WITH at.epochSeconds + at.nanosecond / 1e9 AS at, weight, source, item, targets, about
  ORDER BY at
  RETURN collect({at: at, weight: weight, source: source, item: item, targets: targets,
                  about: about}) AS signals
}
RETURN user_id AS user, signals
