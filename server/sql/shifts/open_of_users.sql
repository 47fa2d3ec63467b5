-- Open shifts of many volunteers (ingest's periodic refresh), same rule as open_of_user.
SELECT id, user_id, started_at
FROM shifts
WHERE campaign_id = $1 AND user_id = ANY($2::bigint[]) AND ended_at IS NULL
  AND started_at > now() - $3 * interval '1 hour'
