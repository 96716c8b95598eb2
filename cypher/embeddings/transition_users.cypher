// Users whose histories the forecast's transition model may learn from: those with at least
// $min_events interactions (the caller draws its sample from them).
MATCH (u:User)
WHERE COUNT { (u)-[:INTERACTED]->() } >= $min_events
RETURN u.id AS user
ORDER BY user
