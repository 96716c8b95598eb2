// A user's events in [from, to), newest first; no row when the user is unknown.
MATCH (u:User {id: $user_id})
  USING INDEX SEEK u:User(id)
CALL (u) {
  MATCH (u)-[r:INTERACTED]->(i:Item)
  WHERE ($from IS NULL OR r.at >= $from) AND ($to IS NULL OR r.at < $to)
  WITH r, i
  ORDER BY r.at DESC, r.event_id
  LIMIT $limit
  RETURN collect({
    event_id: r.event_id, item_id: i.id, kind: r.kind, value: r.value, weight: r.weight, at: r.at
  }) AS events
}
RETURN events
