// The blend a run chose on its validation split, and what it scored there (JSON;
// service.blend_tuning).
MATCH (r:EmbeddingRun {id: $id})
SET r.blend = $blend
