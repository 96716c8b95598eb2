// The interactions of each of $users up to $as_of, as recommend/history reads them for one user:
// per user, (item, weight, epoch seconds) oldest first, ties by item id.
UNWIND $users AS user_id
MATCH (u:User {id: user_id})
CALL (u) {
  MATCH (u)-[r:INTERACTED]->(i:Item)
  WHERE r.at <= $as_of
  WITH i.id AS item, r.weight AS weight, r.at AS at
  ORDER BY at, item
  RETURN collect([item, weight, at.epochSeconds]) AS interactions
}
RETURN user_id AS user, interactions
