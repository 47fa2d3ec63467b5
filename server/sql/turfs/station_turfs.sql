-- The turfs of polling station $2 (code) in campaign $1, with their doors (or H3 cells and
-- households, for turfs cut by households), lengths, streets and the team assigned to each now.
SELECT t.id, t.number, cardinality(t.address_ids) AS doors, t.route_m, t.walk_m, t.created_at, t.cells,
       t.households,
       (SELECT array_agg(DISTINCT ad.street ORDER BY ad.street) FROM addresses ad WHERE ad.id = ANY(t.address_ids))
           AS streets,
       (SELECT tm.name FROM assignments asg JOIN teams tm ON tm.id = asg.team_id
        WHERE asg.turf_id = t.id AND asg.ended_at IS NULL ORDER BY asg.created_at DESC LIMIT 1) AS team
FROM turfs t JOIN areas a ON a.id = t.area_id
WHERE t.campaign_id = $1 AND a.code = $2 AND a.level = 'polling_station'
ORDER BY t.number
