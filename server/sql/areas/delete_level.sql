DELETE FROM areas
WHERE campaign_id = $1 AND level = $2
