-- Campaign $1's polling stations in the metric projection $2, with their population centre: the
-- centroid of their addresses when the campaign imported some, else a point inside the polygon.
CREATE TEMP TABLE metric_stations ON COMMIT DROP AS
SELECT a.id, ST_Transform(a.geom, $2::int) AS g,
       coalesce(ad.centre, ST_Transform(ST_PointOnSurface(a.geom), $2::int)) AS centre,
       ad.centre IS NOT NULL AS by_addresses
FROM areas a
LEFT JOIN LATERAL (SELECT ST_Transform(ST_Centroid(ST_Collect(geom)), $2::int) AS centre
                   FROM addresses WHERE polling_station_id = a.id) ad ON true
WHERE a.campaign_id = $1 AND a.level = 'polling_station'
