-- Campaign $1's addresses with a polling station, in the metric projection $2: the population the
-- station features are weighted by, when the campaign imported addresses.
CREATE TEMP TABLE metric_addresses ON COMMIT DROP AS
SELECT ad.polling_station_id AS station_id, ST_Transform(ad.geom, $2::int) AS g
FROM addresses ad
WHERE ad.campaign_id = $1 AND ad.polling_station_id IS NOT NULL
