// What /metrics says of the embedding runs: the run that serves, the latest run, and how many
// runs are recorded in each status (instants as epoch milliseconds of the database's clock).
OPTIONAL MATCH (m:Meta {key: 'embeddings'})
OPTIONAL MATCH (s:EmbeddingRun {id: m.run_id})
RETURN datetime().epochMillis AS now,
       CASE WHEN s IS NULL THEN null ELSE s {
         .id, .model, .status, .metrics, started: s.started_at.epochMillis,
         finished: s.finished_at.epochMillis, serving_since: m.switched_at.epochMillis
       } END AS serving,
       COLLECT {
         MATCH (r:EmbeddingRun)
         RETURN r {.id, .model, .status, .metrics, started: r.started_at.epochMillis,
                   finished: r.finished_at.epochMillis} AS run
         ORDER BY r.started_at DESC
         LIMIT 1
       } AS latest,
       COLLECT {
         MATCH (r:EmbeddingRun)
         WITH r.status AS status, count(*) AS runs
         RETURN {status: status, runs: runs} AS tally
       } AS statuses
