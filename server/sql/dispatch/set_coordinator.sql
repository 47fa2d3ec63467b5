-- Set team $2's coordinator (user id $3, NULL to clear) in campaign $1; nothing when the team is
-- not the campaign's.
UPDATE teams SET coordinator_id = $3 WHERE id = $2 AND campaign_id = $1 RETURNING id
