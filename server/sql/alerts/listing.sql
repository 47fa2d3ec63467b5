-- Campaign $1's alerts: open ones ($2 true) or all raised in [$3, $4), newest first, with names and
-- the team's coordinator; only those of coordinator $5 (user id) unless it is NULL.
SELECT a.id, a.campaign_id, a.volunteer_id, u.name AS volunteer_name, a.team_id, t.name AS team_name, a.kind,
       a.client_id, a.lon, a.lat, a.detail, a.raised_at, a.acked_by, k.name AS acked_by_name, a.acked_at, a.cleared_at,
       t.coordinator_id, c.login AS coordinator
FROM alerts a
JOIN users u ON u.id = a.volunteer_id
LEFT JOIN teams t ON t.id = a.team_id
LEFT JOIN users k ON k.id = a.acked_by
LEFT JOIN users c ON c.id = t.coordinator_id
WHERE a.campaign_id = $1 AND ($5::bigint IS NULL OR t.coordinator_id = $5)
  AND (CASE WHEN $2 THEN a.cleared_at IS NULL OR (a.kind = 'sos' AND a.acked_at IS NULL)
            ELSE a.raised_at >= $3 AND a.raised_at < $4 END)
ORDER BY a.raised_at DESC, a.id DESC
