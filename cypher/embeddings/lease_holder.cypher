// Who holds the lease now (no row, or a null owner, when it is free).
MATCH (l:Lock {name: $name})
WHERE l.owner IS NOT NULL AND l.expires_at >= datetime()
RETURN l.owner AS owner, l.expires_at AS expires_at
