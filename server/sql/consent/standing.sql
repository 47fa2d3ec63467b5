-- The volunteer's standing (not withdrawn) consent to location sharing, if any.
SELECT id, version, agreed_at FROM location_consents
WHERE campaign_id = $1 AND user_id = $2 AND withdrawn_at IS NULL
