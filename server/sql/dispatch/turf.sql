-- Turf $2 of campaign $1, with its station's code.
SELECT t.id, t.number, a.code AS station FROM turfs t JOIN areas a ON a.id = t.area_id
WHERE t.campaign_id = $1 AND t.id = $2
