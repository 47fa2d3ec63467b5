SELECT target, updated_at FROM campaign_targets WHERE campaign_id = $1
