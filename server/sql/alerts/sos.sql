-- An SOS from volunteer $2 of campaign $1 (press $3, from the phone's outbox: sent again until
-- acknowledged, stored once), at $4 $5, with their name, their team and its coordinator.
-- `created` is false for a repeat.
WITH team AS (
    SELECT min(tm.team_id) AS id FROM team_members tm JOIN teams t ON t.id = tm.team_id
    WHERE tm.user_id = $2 AND t.campaign_id = $1
), ins AS (
    INSERT INTO alerts (campaign_id, volunteer_id, kind, client_id, team_id, lon, lat, detail)
    SELECT $1, $2, 'sos', $3, team.id, $4, $5, $6 FROM team
    ON CONFLICT (campaign_id, volunteer_id, client_id) WHERE kind = 'sos' DO NOTHING
    RETURNING *
), found AS (
    SELECT true AS created, id, campaign_id, volunteer_id, team_id, kind, client_id, lon, lat, detail, raised_at,
           acked_by, acked_at, cleared_at FROM ins
    UNION ALL
    SELECT false, id, campaign_id, volunteer_id, team_id, kind, client_id, lon, lat, detail, raised_at, acked_by,
           acked_at, cleared_at
    FROM alerts WHERE campaign_id = $1 AND volunteer_id = $2 AND client_id = $3 AND kind = 'sos'
      AND NOT EXISTS (SELECT 1 FROM ins)
)
SELECT f.*, v.name AS volunteer_name, t.name AS team_name, t.coordinator_id, u.login AS coordinator
FROM found f
JOIN users v ON v.id = f.volunteer_id
LEFT JOIN teams t ON t.id = f.team_id
LEFT JOIN users u ON u.id = t.coordinator_id
