// What /metrics says of the answers logged in the last $window_s seconds, per policy: how many,
// the items they showed, how many of those were explored and clicked, and the reward earned so
// far (feedback on the newest answers may still come).
MATCH (r:Recommendation)
WHERE r.at >= datetime() - duration({seconds: $window_s})
MATCH (r)-[s:SHOWED]->()
RETURN r.policy AS policy, count(DISTINCT r) AS answers, count(s) AS shown,
       sum(CASE WHEN s.explored THEN 1 ELSE 0 END) AS explored,
       count(s.clicked_at) AS clicked, sum(coalesce(s.reward, 0.0)) AS reward
ORDER BY policy
