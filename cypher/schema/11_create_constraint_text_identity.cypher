CREATE CONSTRAINT text_identity IF NOT EXISTS FOR (t:Text) REQUIRE (t.user_id, t.text_id) IS UNIQUE
