// What people did with a shown item: its feedback ids, instants, dwell and reward; the first
// click, skip or dislike stamps it resolved (the policy learns from it once), by the database's
// clock, which every worker's learner reads.
UNWIND $rows AS row
MATCH (:Recommendation {id: row.recommendation_id})-[s:SHOWED]->(:Item {id: row.item_id})
SET s += row.properties
SET s.resolved_at = CASE WHEN row.resolves THEN datetime() ELSE s.resolved_at END
