-- A polling station of the campaign by code, with a point inside it for directions.
SELECT id, code, name, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
FROM areas
WHERE campaign_id = $1 AND level = 'polling_station' AND code = $2
