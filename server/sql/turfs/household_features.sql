-- The features of campaign $1's layer $2 (households as their value) meeting polling station
-- (area id) $3, as WKB, and the station's own shape.
SELECT ST_AsBinary(f.geom) AS geom, f.value
FROM layer_features f
JOIN layers l ON l.id = f.layer_id
JOIN areas a ON a.id = $3
WHERE l.campaign_id = $1 AND l.name = $2 AND f.value IS NOT NULL AND f.value > 0
  AND f.geom && a.geom AND ST_Intersects(f.geom, a.geom)
ORDER BY f.ordinal
