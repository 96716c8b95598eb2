UNWIND $names AS name
MATCH (c:Category {name: name})
DETACH DELETE c
