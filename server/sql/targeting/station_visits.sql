-- How campaign $1's polling stations were canvassed in [$2, $3), only those that were: the same
-- counting as priorities/stations.sql (distinct volunteers seen by their pings or a tour report,
-- doors knocked as reported), without the static columns the targeting score caches.
WITH pinged AS (
    SELECT polling_station_id AS id, volunteer_id AS v
    FROM pings
    WHERE campaign_id = $1 AND ts >= $2 AND ts < $3 AND polling_station_id IS NOT NULL
), reported AS (
    SELECT area_id AS id, user_id AS v, doors_knocked
    FROM tour_reports
    WHERE campaign_id = $1 AND created_at >= $2 AND created_at < $3 AND area_id IS NOT NULL
), visits AS (
    SELECT id, count(DISTINCT v) AS volunteers
    FROM (SELECT id, v FROM pinged UNION ALL SELECT id, v FROM reported) seen
    GROUP BY id
)
SELECT v.id, v.volunteers, coalesce(d.knocked, 0) AS doors_knocked
FROM visits v
LEFT JOIN (SELECT id, sum(doors_knocked) AS knocked FROM reported GROUP BY id) d ON d.id = v.id
