// The users of these recommendations, locked for this transaction (the SET takes the write lock,
// so concurrent feedback for one user is applied one batch after the other), with the online
// state the policy keeps for each.
UNWIND $recommendation_ids AS id
MATCH (u:User)-[:WAS_SHOWN]->(r:Recommendation {id: id})
WITH DISTINCT u ORDER BY u.id
SET u.feedback_at = datetime()
RETURN u.id AS user_id, u.policy_state AS state
