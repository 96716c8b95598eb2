// Take the named lease when it is free, expired (its holder crashed) or already ours. Setting
// _lock first takes the node's write lock, so two takers are serialised and only one wins.
MERGE (l:Lock {name: $name})
SET l._lock = true
WITH l
WHERE l.owner IS NULL OR l.expires_at < datetime() OR l.owner = $owner
SET l.owner = $owner, l.expires_at = datetime() + duration({seconds: $ttl_s}),
    l.taken_at = datetime()
REMOVE l._lock
RETURN l.owner AS owner
