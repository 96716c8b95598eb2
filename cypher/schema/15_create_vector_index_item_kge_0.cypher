CREATE VECTOR INDEX item_kge_0 IF NOT EXISTS
FOR (n:Item) ON n.kge_0
OPTIONS {indexConfig: {`vector.dimensions`: 64, `vector.similarity_function`: 'cosine'}}
