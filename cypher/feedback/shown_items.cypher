// For each (recommendation, item) pair: whether the recommendation exists and showed the item,
// when it was made, for whom, and the feedback the shown item has had so far.
UNWIND $pairs AS pair
OPTIONAL MATCH (u:User)-[:WAS_SHOWN]->(r:Recommendation {id: pair.recommendation_id})
OPTIONAL MATCH (r)-[s:SHOWED]->(:Item {id: pair.item_id})
RETURN pair.recommendation_id AS recommendation_id, pair.item_id AS item_id,
       u.id AS user_id, r.at AS at, s IS NOT NULL AS shown, s.categories AS categories,
       coalesce(s.feedback_ids, []) AS feedback_ids, s.clicked_at AS clicked_at,
       s.dwell_s AS dwell_s, s.resolved_at AS resolved_at
