CREATE VECTOR INDEX user_kge_1 IF NOT EXISTS
FOR (n:User) ON n.kge_1
OPTIONS {indexConfig: {`vector.dimensions`: 64, `vector.similarity_function`: 'cosine'}}
