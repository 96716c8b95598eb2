CREATE (r:EmbeddingRun {
  id: $id, model: $model, params: $params, slot: $slot, owner: $owner,
  status: 'running', started_at: datetime()
})
