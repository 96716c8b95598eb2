CREATE CONSTRAINT policy_snapshot_version IF NOT EXISTS FOR (p:PolicySnapshot) REQUIRE p.version IS UNIQUE
