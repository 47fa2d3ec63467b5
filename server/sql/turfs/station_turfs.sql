-- The turfs of polling station $2 (code) in campaign $1, with their doors (or H3 cells and
-- households, for turfs cut by households), lengths, streets, the
-- team assigned to each now, and their coverage in [$3, $4): the distinct doors of the turf
-- knocked, opened (someone came to the door), refused and turned into a contact, counted as
-- doors/coverage.sql counts them per station.
SELECT t.id, t.number, cardinality(t.address_ids) AS doors, t.route_m, t.walk_m, t.created_at, t.cells,
       t.households,
       (SELECT array_agg(DISTINCT ad.street ORDER BY ad.street) FROM addresses ad WHERE ad.id = ANY(t.address_ids))
           AS streets,
       (SELECT tm.name FROM assignments asg JOIN teams tm ON tm.id = asg.team_id
        WHERE asg.turf_id = t.id AND asg.ended_at IS NULL ORDER BY asg.created_at DESC LIMIT 1) AS team,
       c.knocked, c.opened, c.refused, c.contacts
FROM turfs t JOIN areas a ON a.id = t.area_id
CROSS JOIN LATERAL (
    SELECT count(*) AS knocked, count(*) FILTER (WHERE v.opened) AS opened,
           count(*) FILTER (WHERE v.refused) AS refused, count(*) FILTER (WHERE v.contact) AS contacts
    FROM (
        SELECT o.address_id, bool_or(o.outcome <> 'not_home') AS opened,
               bool_or(o.outcome = 'refused') AS refused, bool_or(o.outcome = 'contact') AS contact
        FROM door_outcomes o
        WHERE o.campaign_id = $1 AND o.address_id = ANY(t.address_ids) AND o.visited_at >= $3 AND o.visited_at < $4
        GROUP BY o.address_id
    ) v
) c
WHERE t.campaign_id = $1 AND a.code = $2 AND a.level = 'polling_station'
ORDER BY t.number
