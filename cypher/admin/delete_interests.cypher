// Removes the named interests with their edges (tests that create interests clean up with it).
UNWIND $keys AS key
MATCH (n:Interest {key: key})
DETACH DELETE n
