-- Everyone on shift now, with their team (the first by id when in several), for HQ.
SELECT s.id, s.user_id, s.started_at, u.name,
       (SELECT min(tm.team_id) FROM team_members tm JOIN teams t ON t.id = tm.team_id
        WHERE tm.user_id = s.user_id AND t.campaign_id = s.campaign_id) AS team_id
FROM shifts s
JOIN users u ON u.id = s.user_id
WHERE s.campaign_id = $1 AND s.ended_at IS NULL
  AND s.started_at > now() - $2 * interval '1 hour'
ORDER BY s.started_at, s.id
