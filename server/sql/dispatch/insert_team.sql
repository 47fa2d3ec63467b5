-- A team, or the existing one of that name in the campaign.
INSERT INTO teams (campaign_id, name) VALUES ($1, $2)
ON CONFLICT (campaign_id, name) DO UPDATE SET name = EXCLUDED.name
RETURNING id, name
