-- Layer $1's features in the metric projection $2, for the per-station and zone queries of this
-- transaction (indexed: the joins below are by bounding box first).
CREATE TEMP TABLE metric_features ON COMMIT DROP AS
SELECT id, ST_Transform(geom, $2::int) AS g, value, radius_m, ST_Dimension(geom) AS dim
FROM layer_features WHERE layer_id = $1
