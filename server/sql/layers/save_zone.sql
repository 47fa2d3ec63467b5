-- Corto's query, step 2: store the near zone of layer $1 at $2 metres (campaign $3) (back in WGS84) and each
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
), address_totals AS MATERIALIZED (
    SELECT polling_station_id AS id, count(*) AS total
    FROM addresses WHERE campaign_id = $3 AND polling_station_id IS NOT NULL
    GROUP BY polling_station_id
), address_near AS MATERIALIZED (
    -- MATERIALIZED, both: computed once each. Right after an address import the planner believes
    -- a station has one address and re-ran this aggregate once per station (901 x 17 ms: 16 s).
    -- piece by piece through the addresses' spatial index (a few hundred probes, not one per
    -- address); OFFSET 0 keeps the planner to that order even when the addresses' statistics
    -- are stale (it otherwise probed the pieces once per address: 3-100x slower)
    SELECT a.polling_station_id AS id, count(DISTINCT a.id) AS near
    FROM near_wgs84 n CROSS JOIN LATERAL (
        SELECT a.id, a.polling_station_id FROM addresses a
        WHERE a.geom && n.g AND ST_Intersects(n.g, a.geom) AND a.campaign_id = $3 OFFSET 0) a
    WHERE a.polling_station_id IS NOT NULL
    GROUP BY a.polling_station_id
), by_address AS (
    SELECT t.id, t.total, t.total - coalesce(n.near, 0) AS beyond
    FROM address_totals t LEFT JOIN address_near n ON n.id = t.id
)
INSERT INTO station_zone_shares (layer_id, metres, area_id, share_area, share_addresses)
SELECT (SELECT layer_id FROM zone), $2, b.id,
       CASE WHEN b.total > 0 THEN greatest(0, least(1, 1 - b.near / b.total)) ELSE 0 END,
       ad.beyond::float8 / nullif(ad.total, 0)
FROM by_area b LEFT JOIN by_address ad ON ad.id = b.id
