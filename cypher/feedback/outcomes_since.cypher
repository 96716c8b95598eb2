// Shown items whose outcome arrived after the position ($at_ms, $recommendation_id, $item_id) in
// the order (resolved_at in epoch milliseconds, recommendation id, item id) — a feedback batch
// resolves many items at one instant, so the ids break ties — of the lists that $policy showed:
// what it learns from, with what it knew then, a page of $limit at a time. (Integers, not
// datetimes, mark the position: a datetime sent back as a parameter may carry another zone.)
MATCH (r:Recommendation)-[s:SHOWED]->(i:Item)
WHERE s.resolved_at >= $since AND r.policy = $policy  // $since: a bound for the range index
WITH r, s, i, s.resolved_at.epochMillis AS at_ms
WHERE at_ms > $at_ms OR (at_ms = $at_ms AND (r.id > $recommendation_id
                                            OR (r.id = $recommendation_id AND i.id > $item_id)))
RETURN r.id AS recommendation_id, i.id AS item_id, s.resolved_at AS resolved_at, at_ms,
       r.shared AS shared, s.features AS features, s.propensity AS propensity,
       coalesce(s.reward, 0.0) AS reward
ORDER BY at_ms, recommendation_id, item_id
LIMIT $limit
