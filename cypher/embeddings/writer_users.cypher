// Users who wrote (an EXPRESSED interest) and have at least $min_events interactions: those a
// run may choose the text-only blend on (the caller draws its sample from them).
MATCH (u:User)
WHERE COUNT { (u)-[:INTERACTED]->() } >= $min_events AND EXISTS { (u)-[:EXPRESSED]->() }
RETURN u.id AS user
ORDER BY user
