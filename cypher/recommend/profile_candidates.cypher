// Items in the user's strongest categories and about their strongest interests, not yet seen:
// the $per_target most popular of each target, so a large category costs no more than a small
// one. affinity: the summed profile strength of the targets that reach the item.
UNWIND $targets AS t
CALL (t) {
  MATCH (:Category {name: t.key})<-[:IN_CATEGORY]-(i:Item)
  WHERE t.type = 'category' AND NOT i.id IN $seen AND NOT coalesce(i.placeholder, false)
  RETURN i ORDER BY coalesce(i.popularity, 0) DESC LIMIT $per_target
  UNION
  MATCH (:Interest {key: t.key})<-[:ABOUT]-(i:Item)
  WHERE t.type = 'interest' AND NOT i.id IN $seen AND NOT coalesce(i.placeholder, false)
  RETURN i ORDER BY coalesce(i.popularity, 0) DESC LIMIT $per_target
}
WITH i, sum(t.strength) AS affinity, collect(t.type + ':' + t.key) AS via
RETURN i.id AS item, affinity, via, coalesce(i.popularity, 0) AS popularity
ORDER BY affinity * log(2 + popularity) DESC
LIMIT $limit
