SELECT id, user_id, started_at, ended_at, ended_by
FROM shifts
WHERE campaign_id = $1 AND id = $2
