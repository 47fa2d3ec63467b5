-- A team of the campaign by name.
SELECT id FROM teams WHERE campaign_id = $1 AND name = $2
