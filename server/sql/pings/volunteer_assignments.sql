-- volunteer_assignment for many volunteers at once (the ingest's background refresh): one row
-- per volunteer that has a team, same choice rule.
SELECT DISTINCT ON (tm.user_id) tm.user_id, tm.team_id, a.area_id
FROM team_members tm
JOIN teams t ON t.id = tm.team_id AND t.campaign_id = $1
LEFT JOIN assignments a ON a.team_id = tm.team_id AND a.ended_at IS NULL
WHERE tm.user_id = ANY($2::bigint[])
ORDER BY tm.user_id, a.created_at DESC NULLS LAST, a.id DESC NULLS LAST, tm.team_id
