-- The volunteer's pings, oldest first.
SELECT ts, received_at, source, seq, ST_X(geog::geometry) AS lon, ST_Y(geog::geometry) AS lat, acc, alt, spd,
       hdg, bat
FROM pings WHERE volunteer_id = $1 AND campaign_id = $2 ORDER BY ts, seq
