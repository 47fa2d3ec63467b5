-- Remove layer $2 of campaign $1 (its features, station features and zones go with it).
DELETE FROM layers WHERE campaign_id = $1 AND name = $2
