// The newest saved state of the policy's model.
MATCH (p:PolicySnapshot)
RETURN p.version AS version, p.model AS model, p.cursor AS cursor, p.recent AS recent,
       p.examples AS examples, p.at AS at
ORDER BY p.version DESC
LIMIT 1
