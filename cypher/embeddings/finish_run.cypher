// Close a run: finished, rejected (below the quality floor) or failed.
MATCH (r:EmbeddingRun {id: $id})
SET r.status = $status, r.metrics = $metrics, r.message = $message, r.finished_at = datetime()
