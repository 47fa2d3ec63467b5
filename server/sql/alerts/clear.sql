-- Clear alerts $2 (ids) of campaign $1: their cause ended.
UPDATE alerts SET cleared_at = now()
WHERE campaign_id = $1 AND id = ANY($2::bigint[]) AND cleared_at IS NULL
RETURNING id, campaign_id, volunteer_id, team_id, kind, client_id, lon, lat, detail, raised_at, acked_by, acked_at,
          cleared_at,
          (SELECT t.coordinator_id FROM teams t WHERE t.id = alerts.team_id) AS coordinator_id,
          (SELECT u.login FROM teams t JOIN users u ON u.id = t.coordinator_id WHERE t.id = alerts.team_id)
              AS coordinator
