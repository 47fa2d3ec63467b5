-- Raise alert $3 for volunteer $2 of campaign $1 (team $4, position $5 $6, detail $7), unless one
-- of that kind is open already; returns the new alert only.
INSERT INTO alerts (campaign_id, volunteer_id, kind, team_id, lon, lat, detail)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (campaign_id, volunteer_id, kind) WHERE cleared_at IS NULL AND kind <> 'sos' DO NOTHING
RETURNING id, campaign_id, volunteer_id, team_id, kind, client_id, lon, lat, detail, raised_at, acked_by, acked_at,
          cleared_at,
          (SELECT v.name FROM users v WHERE v.id = alerts.volunteer_id) AS volunteer_name,
          (SELECT t.name FROM teams t WHERE t.id = alerts.team_id) AS team_name,
          (SELECT t.coordinator_id FROM teams t WHERE t.id = alerts.team_id) AS coordinator_id,
          (SELECT u.login FROM teams t JOIN users u ON u.id = t.coordinator_id WHERE t.id = alerts.team_id)
              AS coordinator
