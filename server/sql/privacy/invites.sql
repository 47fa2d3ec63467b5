-- Invites the person created or used.
SELECT id, role, created_at, used_at, created_by = $1 AS created, used_by = $1 AS used FROM invites
WHERE (created_by = $1 OR used_by = $1) AND campaign_id = $2 ORDER BY id
