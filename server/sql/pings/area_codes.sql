SELECT id, code
FROM areas
WHERE campaign_id = $1
