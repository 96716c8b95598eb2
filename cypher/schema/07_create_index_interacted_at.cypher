CREATE INDEX interacted_at IF NOT EXISTS FOR ()-[r:INTERACTED]-() ON (r.at)
