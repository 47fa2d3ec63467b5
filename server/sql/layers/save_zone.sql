-- Corto's query, step 2: store the near zone of layer $1 at $2 metres (back in WGS84) and each
-- station's share of area, and of addresses, beyond it. Pieces do not overlap, so their
-- intersections with a station add up to the station's near area.
WITH zone AS (
    INSERT INTO layer_zones (layer_id, metres, near)
    SELECT $1, $2, coalesce(ST_Multi(ST_CollectionExtract(ST_Transform(ST_Union(g), 4326), 3)),
                            'SRID=4326;MULTIPOLYGON EMPTY'::geometry)
    FROM near_pieces
    RETURNING layer_id
), by_area AS (
    SELECT s.id, ST_Area(s.g) AS total, coalesce(sum(ST_Area(ST_Intersection(s.g, n.g))), 0) AS near
    FROM metric_stations s LEFT JOIN near_pieces n ON ST_Intersects(s.g, n.g)
    GROUP BY s.id, s.g
), by_address AS (
    SELECT a.polling_station_id AS id, count(*) AS total,
           count(*) FILTER (WHERE NOT EXISTS (
               SELECT 1 FROM near_pieces n WHERE ST_Intersects(n.g, ST_Transform(a.geom, ST_SRID(n.g))))) AS beyond
    FROM addresses a JOIN metric_stations s ON s.id = a.polling_station_id
    GROUP BY a.polling_station_id
)
INSERT INTO station_zone_shares (layer_id, metres, area_id, share_area, share_addresses)
SELECT (SELECT layer_id FROM zone), $2, b.id,
       CASE WHEN b.total > 0 THEN greatest(0, least(1, 1 - b.near / b.total)) ELSE 0 END,
       ad.beyond::float8 / nullif(ad.total, 0)
FROM by_area b LEFT JOIN by_address ad ON ad.id = b.id
