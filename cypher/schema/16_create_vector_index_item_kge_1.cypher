CREATE VECTOR INDEX item_kge_1 IF NOT EXISTS
FOR (n:Item) ON n.kge_1
OPTIONS {indexConfig: {`vector.dimensions`: 64, `vector.similarity_function`: 'cosine'}}
