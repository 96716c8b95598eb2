// The logged recommendations made since $since by the policy $policy, with every shown item and
// what came of it: what off-policy evaluation reads.
MATCH (r:Recommendation)
WHERE r.at >= $since AND r.policy = $policy
MATCH (r)-[s:SHOWED]->(i:Item)
WITH r, collect(s {item_id: i.id, .propensity, .predicted, .current, .resolved_at,
                   reward: coalesce(s.reward, 0.0)}) AS shown
RETURN r.id AS id, r.k AS k, r.candidates AS candidates, r.dm_current AS dm_current,
       r.dm_random AS dm_random, shown
ORDER BY r.at, r.id
