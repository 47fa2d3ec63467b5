-- Shifts overlapping [$2, $3), newest first, optionally of one volunteer ($4), at most $5.
-- An open shift older than the maximum length ($6 hours) is shown as ended by timeout, as it
-- is for tracking, even before anyone closes it in the table.
SELECT s.id, s.user_id, u.name, s.started_at,
       CASE WHEN s.ended_at IS NULL AND s.started_at <= now() - $6 * interval '1 hour'
            THEN s.started_at + $6 * interval '1 hour' ELSE s.ended_at END AS ended_at,
       CASE WHEN s.ended_at IS NULL AND s.started_at <= now() - $6 * interval '1 hour'
            THEN 'timeout' ELSE s.ended_by END AS ended_by
FROM shifts s
JOIN users u ON u.id = s.user_id
WHERE s.campaign_id = $1
  AND s.started_at < $3 AND coalesce(s.ended_at, 'infinity') >= $2
  AND ($4::bigint IS NULL OR s.user_id = $4)
ORDER BY s.started_at DESC, s.id DESC
LIMIT $5
