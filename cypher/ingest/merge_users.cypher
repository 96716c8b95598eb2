UNWIND $user_ids AS user_id
MERGE (:User {id: user_id})
