CREATE VECTOR INDEX interest_embedding IF NOT EXISTS
FOR (n:Interest) ON n.embedding
OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}
