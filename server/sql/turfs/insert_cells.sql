-- A turf cut from households (no doors): station $2 of campaign $1, number $3, H3 cells $4 in route
-- order, route lengths $5, $6 (through the cells' centres), households $7.
INSERT INTO turfs (campaign_id, area_id, number, address_ids, cells, route_m, walk_m, households)
VALUES ($1, $2, $3, '{}', $4::text[], $5, $6, $7)
RETURNING id
