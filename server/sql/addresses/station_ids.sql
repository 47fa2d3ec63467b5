SELECT id FROM areas WHERE campaign_id = $1 AND level = 'polling_station' ORDER BY id
