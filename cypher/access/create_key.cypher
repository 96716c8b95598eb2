// An API key: only the SHA-256 of its secret part is stored.
CREATE (k:ApiKey {
  id: $id,
  name: $name,
  secret_sha256: $secret_sha256,
  scopes: $scopes,
  created_at: datetime()
})
RETURN k {.id, .name, .scopes, .created_at, .revoked_at} AS key
