-- The polling station where most of the volunteer's pings of [$3, $4] fell ($3: the shift's
-- start less the clock slack that ingest allows).
SELECT polling_station_id
FROM pings
WHERE campaign_id = $1 AND volunteer_id = $2 AND ts BETWEEN $3 AND $4 AND polling_station_id IS NOT NULL
GROUP BY polling_station_id
ORDER BY count(*) DESC, polling_station_id
LIMIT 1
