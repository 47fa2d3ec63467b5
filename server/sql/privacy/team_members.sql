-- The volunteer's ($1) teams in campaign $2.
SELECT t.id AS team, t.name FROM team_members tm JOIN teams t ON t.id = tm.team_id
WHERE tm.user_id = $1 AND t.campaign_id = $2 ORDER BY t.id
