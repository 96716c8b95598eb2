// Users whose histories the forecast's transition model learns from: those with at least
// $min_events interactions, the first $limit by id.
MATCH (u:User)
WHERE COUNT { (u)-[:INTERACTED]->() } >= $min_events
RETURN u.id AS user
ORDER BY user
LIMIT $limit
