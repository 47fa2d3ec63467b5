-- Campaign $1's polling stations in the metric projection $2, with a point inside the polygon: where
-- a station without addresses measures its distances from.
CREATE TEMP TABLE metric_stations ON COMMIT DROP AS
SELECT a.id, ST_Transform(a.geom, $2::int) AS g, ST_Transform(ST_PointOnSurface(a.geom), $2::int) AS centre
FROM areas a
WHERE a.campaign_id = $1 AND a.level = 'polling_station'
