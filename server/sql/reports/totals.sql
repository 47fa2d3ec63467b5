-- Sums of a campaign's reports in [$2, $3), per polling station (station NULL: reports with no
-- station), for HQ's counters and the station cards.
SELECT a.code AS station, count(*) AS reports, count(DISTINCT r.user_id) AS volunteers,
       sum(r.doors_knocked) AS doors_knocked, sum(r.doors_opened) AS doors_opened,
       sum(r.contacts) AS contacts
FROM tour_reports r
LEFT JOIN areas a ON a.id = r.area_id
WHERE r.campaign_id = $1 AND r.created_at >= $2 AND r.created_at < $3
GROUP BY a.code
ORDER BY a.code NULLS LAST
