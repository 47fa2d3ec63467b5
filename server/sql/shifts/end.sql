-- End shift $2 of campaign $1 (if still open). $3: who ended it. A shift past its maximum
-- length ($4 hours) ends at started_at + maximum, as a timeout, whoever asks.
UPDATE shifts
SET ended_at = least(now(), started_at + $4 * interval '1 hour'),
    ended_by = CASE WHEN started_at + $4 * interval '1 hour' < now() THEN 'timeout' ELSE $3 END
WHERE campaign_id = $1 AND id = $2 AND ended_at IS NULL
RETURNING id, user_id, started_at, ended_at, ended_by
