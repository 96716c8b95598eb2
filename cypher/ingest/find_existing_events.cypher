// Which of these event ids are already stored (so a retried batch changes nothing). SEEK: planned
// on an almost empty graph, a plain index hint was met by a full index scan per id (quadratic).
UNWIND $event_ids AS event_id
MATCH ()-[r:INTERACTED {event_id: event_id}]->()
  USING INDEX SEEK r:INTERACTED(event_id)
RETURN collect(event_id) AS existing
