// A new version of the policy's model; the older ones past the newest $keep go.
CREATE (p:PolicySnapshot {
  version: $version, at: datetime(), model: $model, cursor: $cursor, recent: $recent,
  examples: $examples
})
WITH p
MATCH (old:PolicySnapshot)
WITH old ORDER BY old.version DESC
SKIP $keep
DETACH DELETE old
