CREATE INDEX showed_resolved_at IF NOT EXISTS FOR ()-[s:SHOWED]-() ON (s.resolved_at)
