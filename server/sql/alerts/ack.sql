-- Acknowledge alert $2 of campaign $1 by user $3 (the first acknowledgement counts); an SOS is
-- cleared by it (its cause is known only to the person who answered it).
UPDATE alerts SET acked_by = coalesce(acked_by, $3), acked_at = coalesce(acked_at, now()),
                  cleared_at = CASE WHEN kind = 'sos' THEN coalesce(cleared_at, now()) ELSE cleared_at END
WHERE campaign_id = $1 AND id = $2
RETURNING id, campaign_id, volunteer_id, team_id, kind, client_id, lon, lat, detail, raised_at, acked_by, acked_at,
          cleared_at,
          (SELECT t.coordinator_id FROM teams t WHERE t.id = alerts.team_id) AS coordinator_id,
          (SELECT u.login FROM teams t JOIN users u ON u.id = t.coordinator_id WHERE t.id = alerts.team_id)
              AS coordinator
