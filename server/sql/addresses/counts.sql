-- (located, unlocated) addresses of the campaign.
SELECT count(polling_station_id) AS located, count(*) - count(polling_station_id) AS unlocated
FROM addresses WHERE campaign_id = $1
