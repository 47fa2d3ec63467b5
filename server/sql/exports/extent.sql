-- The bounding box of a campaign's areas (display geometry), to frame the map.
SELECT ST_XMin(e) AS west, ST_YMin(e) AS south, ST_XMax(e) AS east, ST_YMax(e) AS north
FROM (SELECT ST_Extent(geom_display) AS e FROM areas WHERE campaign_id = $1) s
WHERE e IS NOT NULL
