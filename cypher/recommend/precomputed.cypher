// A user's precomputed ranking, with what decides whether it still holds: when it was computed,
// from which embedding run, the user's latest signal, and the run that serves now; and the
// policy's online state of the user (feedback on what was shown).
OPTIONAL MATCH (u:User {id: $user_id})
OPTIONAL MATCH (m:Meta {key: 'embeddings'})
RETURN u.recommended AS ranked, u.recommended_pool AS pool, u.recommended_at AS computed_at,
       u.recommended_run AS run,
       coalesce(u.updated_at, u.created_at) AS updated_at, m.run_id AS serving_run,
       u.policy_state AS policy_state, u IS NOT NULL AS known, datetime() AS now
