-- A volunteer's pings in a time window, oldest first (index pings_identity, which leads with
-- volunteer_id, ts).
SELECT seq, source, extract(epoch FROM ts) AS t, ST_X(geog::geometry) AS lon,
       ST_Y(geog::geometry) AS lat, acc, spd, hdg, bat, cell, polling_station_id, low_accuracy
FROM pings
WHERE campaign_id = $1 AND volunteer_id = $2 AND ts >= $3 AND ts < $4
ORDER BY ts
