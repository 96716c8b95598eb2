// Extend our lease; no row when it is no longer ours.
MATCH (l:Lock {name: $name, owner: $owner})
SET l.expires_at = datetime() + duration({seconds: $ttl_s})
RETURN l.owner AS owner
