// Signals per target across all users in two equal windows: [$start, $middle) and [$middle, $end).
CALL () {
  MATCH (u:User)-[r:INTERACTED]->(i:Item)-[:IN_CATEGORY]->(c:Category)
  WHERE $start <= r.at < $end AND r.weight > 0
  RETURN 'category:' + c.name AS target, r.at AS at, u.id AS user
  UNION ALL
  MATCH (u:User)-[r:INTERACTED]->(:Item)-[:ABOUT]->(n:Interest)
  WHERE $start <= r.at < $end AND r.weight > 0
  RETURN 'interest:' + n.key AS target, r.at AS at, u.id AS user
  UNION ALL
  MATCH (u:User)-[e:EXPRESSED]->(n:Interest)
  WHERE $start <= e.at < $end AND e.polarity > 0
  RETURN 'interest:' + n.key AS target, e.at AS at, u.id AS user
}
WITH target,
     count(CASE WHEN at >= $middle THEN 1 END) AS recent,
     count(CASE WHEN at < $middle THEN 1 END) AS before,
     count(DISTINCT CASE WHEN at >= $middle THEN user END) AS recent_users
WHERE recent >= $min_signals
RETURN target, recent, before, recent_users
