-- Each volunteer's latest ping in the stale window (at - $3 seconds, at], with one team (the
-- lowest team id, as the live map colours by team id). Partition pruning and the BRIN index on
-- (campaign_id, ts) bound the scan to the window.
WITH latest AS (
    SELECT DISTINCT ON (volunteer_id)
           volunteer_id, ts, ST_X(geog::geometry) AS lon, ST_Y(geog::geometry) AS lat, acc,
           polling_station_id, low_accuracy
    FROM pings
    WHERE campaign_id = $1
      AND ts > $2::timestamptz - make_interval(secs => $3::float8) AND ts <= $2::timestamptz
    ORDER BY volunteer_id, ts DESC
)
SELECT l.volunteer_id, extract(epoch FROM l.ts)::float8 AS t, l.lon, l.lat, l.acc,
       l.low_accuracy, a.code AS polling_station, tm.team_id AS team, tm.team_name
FROM latest l
LEFT JOIN areas a ON a.id = l.polling_station_id
LEFT JOIN LATERAL (
    SELECT m.team_id, t.name AS team_name
    FROM team_members m JOIN teams t ON t.id = m.team_id AND t.campaign_id = $1
    WHERE m.user_id = l.volunteer_id
    ORDER BY m.team_id
    LIMIT 1
) tm ON true
ORDER BY l.volunteer_id
