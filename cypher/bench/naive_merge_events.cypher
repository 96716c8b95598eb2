// Baseline for bench/ingest.py: the textbook one-statement import (MERGE everything, datetimes sent
// as values), to compare the project's write path against.
UNWIND $rows AS row
MERGE (u:User {id: row.user_id})
MERGE (i:Item {id: row.item_id})
MERGE (u)-[r:INTERACTED {event_id: row.event_id}]->(i)
  ON CREATE SET r.at = row.at, r.kind = row.kind, r.value = row.value, r.weight = row.weight
