SELECT count(*) FROM areas WHERE campaign_id = $1 AND level = 'polling_station'
