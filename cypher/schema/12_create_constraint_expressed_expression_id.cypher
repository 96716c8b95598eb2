CREATE CONSTRAINT expressed_expression_id IF NOT EXISTS
FOR ()-[r:EXPRESSED]-() REQUIRE r.expression_id IS UNIQUE
