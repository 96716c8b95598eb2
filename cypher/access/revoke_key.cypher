MATCH (k:ApiKey {id: $id})
SET k.revoked_at = coalesce(k.revoked_at, datetime())
RETURN k {.id, .name, .scopes, .created_at, .revoked_at} AS key
