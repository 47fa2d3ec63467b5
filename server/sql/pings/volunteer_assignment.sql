-- The volunteer's team in the campaign and that team's current assignment, if any. With several
-- teams, the one with the most recent active assignment wins.
SELECT tm.team_id, a.area_id
FROM team_members tm
JOIN teams t ON t.id = tm.team_id AND t.campaign_id = $1
LEFT JOIN assignments a ON a.team_id = tm.team_id AND a.ended_at IS NULL
WHERE tm.user_id = $2
ORDER BY a.created_at DESC NULLS LAST, a.id DESC NULLS LAST, tm.team_id
LIMIT 1
