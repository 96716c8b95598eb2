// Rankings computed ahead of requests: the blended candidates (JSON), the popular items of each
// category the user had not seen (JSON, for the policy's pool), the instant, the run.
UNWIND $rows AS row
MATCH (u:User {id: row.user_id})
  USING INDEX SEEK u:User(id)
SET u.recommended = row.ranked,
    u.recommended_pool = row.pool,
    u.recommended_at = $computed_at,
    u.recommended_run = row.run
