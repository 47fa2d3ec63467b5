INSERT INTO campaign_targets (campaign_id, target) VALUES ($1, $2)
ON CONFLICT (campaign_id) DO UPDATE SET target = excluded.target, updated_at = now()
RETURNING target, updated_at
