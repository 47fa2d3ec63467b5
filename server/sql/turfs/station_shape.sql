-- Polling station (area id) $1's shape, as WKB.
SELECT ST_AsBinary(geom) FROM areas WHERE id = $1
