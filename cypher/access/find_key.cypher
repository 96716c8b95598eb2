MATCH (k:ApiKey {id: $id})
RETURN k {.id, .name, .scopes, .created_at, .revoked_at, .secret_sha256} AS key
