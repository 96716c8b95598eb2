// A user's precomputed ranking, with what decides whether it still holds: when it was computed,
// from which embedding run, the user's latest signal, and the run that serves now.
MATCH (u:User {id: $user_id})
  USING INDEX SEEK u:User(id)
OPTIONAL MATCH (m:Meta {key: 'embeddings'})
RETURN u.recommended AS ranked, u.recommended_at AS computed_at, u.recommended_run AS run,
       coalesce(u.updated_at, u.created_at) AS updated_at, m.run_id AS serving_run,
       datetime() AS now
