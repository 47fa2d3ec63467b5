-- Polling station $2 (code) of campaign $1: its id.
SELECT id, code, name FROM areas WHERE campaign_id = $1 AND level = 'polling_station' AND code = $2
