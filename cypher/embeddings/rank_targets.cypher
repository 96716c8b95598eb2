// Each category's and interest's member items (placeholders left out) in ranking order
// (popularity, then id), the first $depth ids and their popularity, so that a ranking walks a
// list in memory instead of reading every member (service.recommend). A list holds while its
// target's `changes` (members that came or went: upserts, ABOUT merges, deletions) and the
// popularity's version (Meta 'popularity') are those it was ranked at; both are read before the
// members, so a member that comes meanwhile leaves the list stale. Run after
// embeddings/item_popularity.
OPTIONAL MATCH (p:Meta {key: 'popularity'})
WITH coalesce(p.version, 0) AS popularity
MATCH (t)
WHERE t:Category OR t:Interest
CALL (t, popularity) {
  WITH t, popularity, coalesce(t.changes, 0) AS changes
  // an item's IN_CATEGORY edges lead to its categories, its ABOUT edges to its interests
  WITH t, popularity, changes, COLLECT {
    MATCH (t)<-[:IN_CATEGORY|ABOUT]-(i:Item)
    WHERE NOT coalesce(i.placeholder, false)
    WITH i ORDER BY coalesce(i.popularity, 0) DESC, i.id
    RETURN [i.id, coalesce(i.popularity, 0)]
  } AS members
  SET t.top = [m IN members[..$depth] | m[0]],
      t.top_counts = [m IN members[..$depth] | m[1]],
      t.top_complete = size(members) <= $depth,
      t.top_changes = changes,
      t.top_popularity_version = popularity
} IN TRANSACTIONS OF 200 ROWS
