-- Per station of the staged campaign, for layer $1: the distance from its population centre to
-- the nearest feature (to a point's circle when it has a radius); for valued polygons, the
-- area-weighted sum (value x share of the feature inside the station: counts such as households)
-- and mean (values weighted by the area they cover in the station: rates such as incomes); for
-- valued points, the sum and mean of the points inside.
INSERT INTO station_layer_features (layer_id, area_id, distance_m, value_sum, value_mean, weighting)
SELECT $1, s.id,
       (SELECT min(greatest(0, ST_Distance(s.centre, f.g) - f.radius_m)) FROM metric_features f),
       v.total, v.mean,
       CASE WHEN s.by_addresses THEN 'addresses' ELSE 'area' END
FROM metric_stations s
LEFT JOIN LATERAL (
    SELECT sum(x.value * x.part) AS total,
           sum(x.value * x.covered) / nullif(sum(x.covered), 0) AS mean
    FROM (SELECT f.value,
                 CASE WHEN f.dim = 2 THEN ST_Area(ST_Intersection(s.g, f.g)) / nullif(ST_Area(f.g), 0)
                      ELSE 1 END AS part,
                 CASE WHEN f.dim = 2 THEN ST_Area(ST_Intersection(s.g, f.g)) ELSE 1 END AS covered
          FROM metric_features f
          WHERE f.value IS NOT NULL AND f.dim IN (0, 2) AND ST_Intersects(s.g, f.g)) x
) v ON true
