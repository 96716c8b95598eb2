// Whether a user is known.
RETURN EXISTS { MATCH (:User {id: $user_id}) } AS known
