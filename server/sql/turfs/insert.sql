-- One turf of station $2 in campaign $1: number $3, doors $4 in route order, lengths $5, $6.
INSERT INTO turfs (campaign_id, area_id, number, address_ids, route_m, walk_m)
VALUES ($1, $2, $3, $4::bigint[], $5, $6)
RETURNING id
