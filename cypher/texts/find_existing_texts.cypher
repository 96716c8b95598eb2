// Which (user, text_id) pairs are already stored, so that a retried batch changes nothing.
UNWIND $rows AS row
MATCH (:User {id: row.user_id})-[r:EXPRESSED {text_id: row.text_id}]->()
RETURN collect(DISTINCT [row.user_id, row.text_id]) AS existing
