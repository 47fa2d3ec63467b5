-- Display polygons of campaign $1's polling stations, by code, as GeoJSON geometries.
SELECT code, ST_AsGeoJSON(geom_display, 6)::json AS geometry
FROM areas WHERE campaign_id = $1 AND level = 'polling_station'
