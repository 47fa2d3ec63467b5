-- Layer $1's features in the metric projection $2, for the per-station and zone queries of this
-- transaction (indexed: the joins below are by bounding box first). `shape` is what a distance is
-- measured to: a point with a radius as its circle (so that the index's nearest-neighbour order
-- is the order of the distance to the circle), anything else as itself.
CREATE TEMP TABLE metric_features ON COMMIT DROP AS
SELECT id, ST_Transform(geom, $2::int) AS g, value, radius_m, ST_Dimension(geom) AS dim,
       CASE WHEN radius_m > 0 THEN ST_Buffer(ST_Transform(geom, $2::int), radius_m, 8)
            ELSE ST_Transform(geom, $2::int) END AS shape
FROM layer_features WHERE layer_id = $1
