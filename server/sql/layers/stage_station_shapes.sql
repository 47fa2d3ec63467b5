-- Campaign $1's polling stations in the metric projection $2 (shapes only: the zone query needs
-- no population centre).
CREATE TEMP TABLE metric_stations ON COMMIT DROP AS
SELECT a.id, ST_Transform(a.geom, $2::int) AS g
FROM areas a
WHERE a.campaign_id = $1 AND a.level = 'polling_station'
