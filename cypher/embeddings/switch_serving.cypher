// Serve the vectors of a finished run from now on.
MERGE (m:Meta {key: 'embeddings'})
SET m.run_id = $id, m.slot = $slot, m.switched_at = datetime()
