-- Per polling station of campaign $1: doors (addresses), doors knocked before $2 and in [$2, $3)
-- (tour reports), and distinct volunteers who were there in the window (pings or reports).
WITH before AS (
    SELECT area_id, sum(doors_knocked) AS knocked FROM tour_reports
    WHERE campaign_id = $1 AND created_at < $2 AND area_id IS NOT NULL GROUP BY area_id
), during AS (
    SELECT area_id, sum(doors_knocked) AS knocked FROM tour_reports
    WHERE campaign_id = $1 AND created_at >= $2 AND created_at < $3 AND area_id IS NOT NULL GROUP BY area_id
), doors AS (
    SELECT polling_station_id AS area_id, count(*) AS n FROM addresses
    WHERE campaign_id = $1 AND polling_station_id IS NOT NULL GROUP BY polling_station_id
), people AS (
    SELECT id, count(DISTINCT v) AS volunteers FROM (
        SELECT polling_station_id AS id, volunteer_id AS v FROM pings
        WHERE campaign_id = $1 AND ts >= $2 AND ts < $3 AND polling_station_id IS NOT NULL
        UNION ALL
        SELECT area_id, user_id FROM tour_reports
        WHERE campaign_id = $1 AND created_at >= $2 AND created_at < $3 AND area_id IS NOT NULL
    ) x GROUP BY id
)
SELECT a.code, a.name, coalesce(doors.n, 0) AS doors, coalesce(before.knocked, 0) AS knocked_before,
       coalesce(during.knocked, 0) AS knocked_day, coalesce(people.volunteers, 0) AS volunteers_day
FROM areas a
LEFT JOIN doors ON doors.area_id = a.id
LEFT JOIN before ON before.area_id = a.id
LEFT JOIN during ON during.area_id = a.id
LEFT JOIN people ON people.id = a.id
WHERE a.campaign_id = $1 AND a.level = 'polling_station'
ORDER BY a.code
