INSERT INTO targeting_models (campaign_id, target, used, model) VALUES ($1, $2, $3, $4)
RETURNING id, fitted_at
