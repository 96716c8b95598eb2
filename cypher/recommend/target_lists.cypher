// Each profile target's member list ranked at the last run (embeddings/rank_targets), for the
// process that walks it: whether the list holds now (no member came or went since, the
// popularity not recounted), its version, whether it has every member, and the list itself
// (ids and popularity) unless the caller already holds that version ($held).
OPTIONAL MATCH (p:Meta {key: 'popularity'})
WITH coalesce(p.version, 0) AS popularity
UNWIND $targets AS t
OPTIONAL MATCH (c:Category {name: t.key})
  WHERE t.type = 'category'
OPTIONAL MATCH (n:Interest {key: t.key})
  WHERE t.type = 'interest'
WITH t, popularity, coalesce(c, n) AS target
WITH t, target,
     target.top IS NOT NULL AND target.top_changes = coalesce(target.changes, 0)
       AND target.top_popularity_version = popularity AS holds,
     t.type + ':' + t.key + '@' + toString(target.top_popularity_version) + '/'
       + toString(target.top_changes) AS version
RETURN t.type AS type, t.key AS key, holds, version,
       coalesce(target.top_complete, false) AS complete,
       CASE WHEN holds AND NOT version IN $held THEN target.top END AS top,
       CASE WHEN holds AND NOT version IN $held THEN target.top_counts END AS counts
