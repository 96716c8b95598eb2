// Timestamps travel as integer epoch seconds and nanoseconds (far cheaper to send than datetimes)
// and are stored as UTC datetimes. The index hints keep the plan when statistics swing (a planner
// that re-plans on an almost empty graph may otherwise choose a scan that turns quadratic).
UNWIND $rows AS row
MATCH (u:User {id: row.user_id})
  USING INDEX SEEK u:User(id)
MATCH (i:Item {id: row.item_id})
  USING INDEX SEEK i:Item(id)
CREATE (u)-[:INTERACTED {
  event_id: row.event_id,
  at: datetime({epochSeconds: row.at_s, nanosecond: row.at_ns}),
  kind: row.kind,
  value: row.value,
  weight: row.weight
}]->(i)
RETURN count(*) AS created
