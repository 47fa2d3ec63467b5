-- Withdraw the volunteer's standing consent; returns it (nothing when there was none).
UPDATE location_consents SET withdrawn_at = now()
WHERE campaign_id = $1 AND user_id = $2 AND withdrawn_at IS NULL
RETURNING id, version, agreed_at, withdrawn_at
