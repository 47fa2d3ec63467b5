-- The team of each of these volunteers in the campaign (the lowest team id when several).
SELECT tm.user_id AS volunteer_id, min(tm.team_id) AS team_id
FROM team_members tm
JOIN teams t ON t.id = tm.team_id AND t.campaign_id = $1
WHERE tm.user_id = ANY($2::bigint[])
GROUP BY tm.user_id
