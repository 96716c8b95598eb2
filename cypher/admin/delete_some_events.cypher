// Benchmarks only: removes up to $limit interactions and expressions, and says how many; the caller
// repeats it until none are left. (One statement over millions of edges, even with CALL IN
// TRANSACTIONS, planned an eager read of them all and ran out of Neo4j's transaction memory.)
MATCH (:User)-[r:INTERACTED|EXPRESSED]->()
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted
