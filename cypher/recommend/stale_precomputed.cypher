// Users whose precomputed ranking is missing, older than their latest signal (feedback included)
// or than $before, or ranked with another embedding run than the one serving.
OPTIONAL MATCH (m:Meta {key: 'embeddings'})
WITH coalesce(m.run_id, '') AS serving
MATCH (u:User)
WHERE u.recommended_at IS NULL
   OR u.recommended_at < coalesce(u.updated_at, u.created_at)
   OR u.recommended_at < coalesce(u.feedback_at, u.created_at)
   OR u.recommended_at < $before
   OR coalesce(u.recommended_run, '') <> serving
RETURN u.id AS user_id
