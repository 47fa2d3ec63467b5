-- Per polling station: its doors, and the distinct doors knocked, opened (someone came to the
-- door), refused and turned into a contact in [$2, $3). Stations with no outcome are left out.
WITH visited AS (
    SELECT o.area_id, o.address_id, bool_or(o.outcome <> 'not_home') AS opened,
           bool_or(o.outcome = 'refused') AS refused, bool_or(o.outcome = 'contact') AS contact
    FROM door_outcomes o
    WHERE o.campaign_id = $1 AND o.visited_at >= $2 AND o.visited_at < $3
    GROUP BY o.area_id, o.address_id
)
SELECT a.code AS station,
       (SELECT count(*) FROM addresses ad WHERE ad.polling_station_id = v.area_id) AS doors,
       count(*) AS knocked, count(*) FILTER (WHERE v.opened) AS opened,
       count(*) FILTER (WHERE v.refused) AS refused, count(*) FILTER (WHERE v.contact) AS contacts
FROM visited v
LEFT JOIN areas a ON a.id = v.area_id
GROUP BY v.area_id, a.code
ORDER BY a.code NULLS LAST
