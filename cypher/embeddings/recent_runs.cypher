MATCH (r:EmbeddingRun)
RETURN r {.*} AS run
ORDER BY r.started_at DESC
LIMIT $limit
