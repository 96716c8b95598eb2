UNWIND $user_ids AS user_id
MERGE (u:User {id: user_id})
  ON CREATE SET u.created_at = datetime()
SET u.updated_at = datetime()  // a new signal: a precomputed ranking no longer holds
