MATCH (k:ApiKey)
RETURN k {.id, .name, .scopes, .created_at, .revoked_at} AS key
ORDER BY k.created_at
