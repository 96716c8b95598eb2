// Shown items whose outcome arrived at or after $since (a click, a skip or a dislike), oldest
// first, of the lists that $policy showed: what it learns from, with what it knew then.
MATCH (r:Recommendation)-[s:SHOWED]->(i:Item)
WHERE s.resolved_at >= $since AND r.policy = $policy
RETURN r.id AS recommendation_id, i.id AS item_id, s.resolved_at AS resolved_at,
       r.shared AS shared, s.features AS features, s.propensity AS propensity,
       coalesce(s.reward, 0.0) AS reward
ORDER BY s.resolved_at, r.id, i.id
LIMIT $limit
