-- Open a shift; nothing when one is already open (the caller then reads that one).
INSERT INTO shifts (campaign_id, user_id) VALUES ($1, $2)
ON CONFLICT (campaign_id, user_id) WHERE ended_at IS NULL DO NOTHING
RETURNING id, user_id, started_at, ended_at, ended_by
