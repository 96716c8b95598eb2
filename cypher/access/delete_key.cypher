// Tests only: removes a key for good (revoking keeps it, for the record).
MATCH (k:ApiKey {id: $id})
DELETE k
