CREATE VECTOR INDEX category_kge_1 IF NOT EXISTS
FOR (n:Category) ON n.kge_1
OPTIONS {indexConfig: {`vector.dimensions`: 64, `vector.similarity_function`: 'cosine'}}
