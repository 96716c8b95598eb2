// Positive interactions per category up to $as_of, across all users: the population's prior.
MATCH (:User)-[r:INTERACTED]->(:Item)-[:IN_CATEGORY]->(c:Category)
WHERE r.weight > 0 AND r.at <= $as_of
RETURN 'category:' + c.name AS target, count(*) AS signals
