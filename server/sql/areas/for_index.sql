SELECT id, level, code, geom
FROM areas
WHERE campaign_id = $1
ORDER BY id
