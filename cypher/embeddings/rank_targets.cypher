// Each category's and interest's member items in ranking order (popularity, then id), the first
// $depth, so that recommend/profile_candidates_listed walks a list instead of every member. A list
// holds while its target has had no new member (upserts and ABOUT merges count them in `changes`)
// and the popularity has not changed (Meta 'popularity'); both are read before the members, so a
// member that comes in meanwhile leaves the list marked stale. Run after embeddings/item_popularity.
OPTIONAL MATCH (p:Meta {key: 'popularity'})
WITH coalesce(p.version, 0) AS popularity
MATCH (t)
WHERE t:Category OR t:Interest
CALL (t, popularity) {
  WITH t, popularity, coalesce(t.changes, 0) AS changes
  // an item's IN_CATEGORY edges lead to its categories, its ABOUT edges to its interests
  OPTIONAL MATCH (t)<-[:IN_CATEGORY|ABOUT]-(i:Item)
  WITH t, popularity, changes, i ORDER BY coalesce(i.popularity, 0) DESC, i.id
  WITH t, popularity, changes, collect(i.id) AS ids
  SET t.top = ids[..$depth], t.top_complete = size(ids) <= $depth, t.top_changes = changes,
      t.top_popularity = popularity
} IN TRANSACTIONS OF 200 ROWS
