CREATE INDEX expressed_text_id IF NOT EXISTS FOR ()-[r:EXPRESSED]-() ON (r.text_id)
