CREATE INDEX text_at IF NOT EXISTS FOR (t:Text) ON (t.at)
