-- Withdraw the standing consents of users $2 to any version other than $3 (before agreeing to it).
UPDATE location_consents SET withdrawn_at = now()
WHERE campaign_id = $1 AND user_id = ANY($2::bigint[]) AND withdrawn_at IS NULL AND version <> $3
