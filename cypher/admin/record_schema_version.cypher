MERGE (m:Meta {key: 'schema'})
SET m.version = $version, m.statements = $statements, m.applied_at = datetime()
