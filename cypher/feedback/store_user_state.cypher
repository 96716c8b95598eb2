// The policy's online state of each user (JSON), after this batch of feedback.
UNWIND $rows AS row
MATCH (u:User {id: row.user_id})
  USING INDEX SEEK u:User(id)
SET u.policy_state = row.state
