// The items' popularity is about to change (embeddings/item_popularity): lists ranked before
// (embeddings/rank_targets) no longer hold.
MERGE (m:Meta {key: 'popularity'})
SET m.version = coalesce(m.version, 0) + 1
