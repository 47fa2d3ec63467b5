-- Which of codes $2 are polling stations of campaign $1.
SELECT code FROM areas WHERE campaign_id = $1 AND level = 'polling_station' AND code = ANY($2::text[])
