-- Per station of the staged campaign, for layer $1 (see docs in server/layers/loading.py):
--  * distance_m: the mean distance from the station's addresses to the nearest feature (to a
--    point's circle when it has a radius); a station without addresses: from a point inside it;
--  * for valued polygons (a grid of households, incomes), the value split over the stations:
--    value_sum adds each feature's value x the part of it that goes to the station (counts such
--    as households), value_mean averages the values (rates such as incomes).
-- With addresses, a feature's part inside the campaign's stations is shared among them by their
-- addresses in it, not by area: a grid cell half on a park and half on flats goes to the flats'
-- station. A feature with no address inside any station keeps the area split, so that its value
-- is not lost (an empty cell of the grid may still count households by INSEE's own geocoding);
-- either way, its part outside every station stays outside. Valued points count whole, where
-- they stand.
WITH pairs AS (
    SELECT s.id AS station_id, f.id AS feature_id, f.value, x.covered,
           CASE WHEN f.dim = 2 THEN x.covered / nullif(ST_Area(f.g), 0) ELSE 1 END AS part,
           CASE WHEN f.dim = 2 THEN (SELECT count(*) FROM metric_addresses ma
                                     WHERE ma.station_id = s.id AND ma.g && f.g AND ST_Intersects(f.g, ma.g))
                ELSE 0 END AS homes
    FROM metric_stations s
    JOIN metric_features f ON f.value IS NOT NULL AND f.dim IN (0, 2) AND ST_Intersects(s.g, f.g)
    CROSS JOIN LATERAL (SELECT CASE WHEN f.dim = 2 THEN ST_Area(ST_Intersection(s.g, f.g)) ELSE 1 END
                        AS covered) x
), shared AS (
    SELECT p.*,
           CASE WHEN sum(p.homes) OVER w > 0 THEN sum(p.part) OVER w * p.homes / sum(p.homes) OVER w
                ELSE p.part END AS share
    FROM pairs p
    WINDOW w AS (PARTITION BY p.feature_id)
), valued AS (
    SELECT station_id, sum(value * share) AS total,
           CASE WHEN sum(homes) > 0 THEN sum(value * homes) / sum(homes)
                ELSE sum(value * covered) / nullif(sum(covered), 0) END AS mean
    FROM shared GROUP BY station_id
), walks AS (
    SELECT ma.station_id, avg(nearest.d) AS d
    FROM metric_addresses ma
    CROSS JOIN LATERAL (SELECT ST_Distance(f.shape, ma.g) AS d FROM metric_features f
                        ORDER BY f.shape <-> ma.g LIMIT 1) nearest
    GROUP BY ma.station_id
)
INSERT INTO station_layer_features (layer_id, area_id, distance_m, value_sum, value_mean, weighting)
SELECT $1, s.id,
       coalesce(w.d, (SELECT ST_Distance(f.shape, s.centre) FROM metric_features f
                      ORDER BY f.shape <-> s.centre LIMIT 1)),
       v.total, v.mean,
       CASE WHEN w.station_id IS NOT NULL THEN 'addresses' ELSE 'area' END
FROM metric_stations s
LEFT JOIN walks w ON w.station_id = s.id
LEFT JOIN valued v ON v.station_id = s.id
