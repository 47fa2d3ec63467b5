-- Close the volunteer's open shift if it is older than the maximum length ($3 hours): it ended,
-- as far as tracking goes, at started_at + maximum. Run before starting a new one.
UPDATE shifts
SET ended_at = started_at + $3 * interval '1 hour', ended_by = 'timeout'
WHERE campaign_id = $1 AND user_id = $2 AND ended_at IS NULL
  AND started_at <= now() - $3 * interval '1 hour'
RETURNING id
