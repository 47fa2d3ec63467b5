-- Close every open shift older than the maximum length ($1 hours), in every campaign: it ended,
-- as far as tracking goes, at started_at + maximum. Run periodically by ingest (ingest/duty.py).
UPDATE shifts
SET ended_at = started_at + $1 * interval '1 hour', ended_by = 'timeout'
WHERE ended_at IS NULL AND started_at <= now() - $1 * interval '1 hour'
RETURNING id, campaign_id, user_id, started_at, ended_at, ended_by
