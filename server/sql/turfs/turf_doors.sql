-- Turf $2 of campaign $1: its station and its doors in route order.
SELECT t.id AS turf_id, t.number AS turf, t.route_m, t.walk_m, a.code AS station, a.name AS station_name, u.pos,
       ad.id, ad.number, ad.street, ad.postcode, ST_X(ad.geom) AS lon, ST_Y(ad.geom) AS lat
FROM turfs t
JOIN areas a ON a.id = t.area_id
CROSS JOIN LATERAL unnest(t.address_ids) WITH ORDINALITY AS u(address_id, pos)
JOIN addresses ad ON ad.id = u.address_id
WHERE t.campaign_id = $1 AND t.id = $2
ORDER BY u.pos
