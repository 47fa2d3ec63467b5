-- Exact reference for the in-memory index: lowest id among the areas that cover the point.
SELECT DISTINCT ON (level) level, id, code, name
FROM areas
WHERE campaign_id = $1 AND ST_Covers(geom, ST_SetSRID(ST_MakePoint($2, $3), 4326))
ORDER BY level, id
