-- The latest model fitted for target $2 in campaign $1 that beat its baseline.
SELECT id, target, model, fitted_at FROM targeting_models
WHERE campaign_id = $1 AND target = $2 AND used
ORDER BY fitted_at DESC, id DESC LIMIT 1
