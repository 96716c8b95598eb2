// Items in the user's strongest categories and about their strongest interests, not yet seen:
// per target its $per_target first by popularity (then id), read from every member (the way of
// targets whose ranked list does not hold; see recommend/profile_candidates_listed).
UNWIND $targets AS t
CALL (t) {
  MATCH (:Category {name: t.key})<-[:IN_CATEGORY]-(i:Item)
  WHERE t.type = 'category' AND NOT i.id IN $seen AND NOT coalesce(i.placeholder, false)
  RETURN i ORDER BY coalesce(i.popularity, 0) DESC, i.id LIMIT $per_target
  UNION
  MATCH (:Interest {key: t.key})<-[:ABOUT]-(i:Item)
  WHERE t.type = 'interest' AND NOT i.id IN $seen AND NOT coalesce(i.placeholder, false)
  RETURN i ORDER BY coalesce(i.popularity, 0) DESC, i.id LIMIT $per_target
}
RETURN t.type AS type, t.key AS key, collect([i.id, coalesce(i.popularity, 0)]) AS found
