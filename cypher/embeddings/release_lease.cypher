MATCH (l:Lock {name: $name, owner: $owner})
SET l.owner = null, l.expires_at = null
