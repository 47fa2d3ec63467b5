SELECT id, started_at, ended_at, ended_by FROM shifts WHERE user_id = $1 AND campaign_id = $2 ORDER BY id
