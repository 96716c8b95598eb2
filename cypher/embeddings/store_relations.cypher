// A run's relation vectors (JSON), which compose the queries of the vector indexes.
MATCH (r:EmbeddingRun {id: $id})
SET r.relations = $relations
