-- The volunteer's open shift, unless it is older than the maximum length ($3 hours).
SELECT id, user_id, started_at, ended_at, ended_by
FROM shifts
WHERE campaign_id = $1 AND user_id = $2 AND ended_at IS NULL
  AND started_at > now() - $3 * interval '1 hour'
