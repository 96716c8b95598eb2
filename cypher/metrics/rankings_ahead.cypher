// What /metrics says of the rankings kept ahead on user nodes: how many users hold one, the
// oldest and newest (epoch milliseconds), and how many no longer hold (older than the user's
// latest signal or than $max_age_s, or ranked with another run than the serving one): the rule
// of service/precomputed.py's read. Reads every user: /metrics keeps the answer for a while.
OPTIONAL MATCH (m:Meta {key: 'embeddings'})
WITH coalesce(m.run_id, '') AS serving, datetime() - duration({seconds: $max_age_s}) AS too_old
MATCH (u:User)
WHERE u.recommended_at IS NOT NULL
WITH count(u) AS users, min(u.recommended_at) AS oldest, max(u.recommended_at) AS newest,
     sum(CASE WHEN u.recommended_at < coalesce(u.updated_at, u.created_at, u.recommended_at)
                OR u.recommended_at < too_old
                OR coalesce(u.recommended_run, '') <> serving
              THEN 1 ELSE 0 END) AS stale
RETURN datetime().epochMillis AS now, users, oldest.epochMillis AS oldest,
       newest.epochMillis AS newest, stale
