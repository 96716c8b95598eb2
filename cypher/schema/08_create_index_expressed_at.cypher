CREATE INDEX expressed_at IF NOT EXISTS FOR ()-[r:EXPRESSED]-() ON (r.at)
