// A run's transition model for forecasts (JSON; graph.evolution.transitions).
MATCH (r:EmbeddingRun {id: $id})
SET r.transition = $transition
