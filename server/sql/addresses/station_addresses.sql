-- The address points located in one polling station of the campaign (by code).
SELECT ad.id, ad.number, ad.street, ST_X(ad.geom) AS lon, ST_Y(ad.geom) AS lat
FROM addresses ad
JOIN areas a ON a.id = ad.polling_station_id
WHERE a.campaign_id = $1 AND a.level = 'polling_station' AND a.code = $2
