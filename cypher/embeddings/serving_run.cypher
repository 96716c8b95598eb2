// The run whose vectors are served, if any.
MATCH (m:Meta {key: 'embeddings'})
MATCH (r:EmbeddingRun {id: m.run_id})
RETURN r {.*} AS run
