-- Corto's query, step 1: the "near" zone of the staged layer for distance $1 metres, the union of
-- every feature's buffer (a point's own radius added), cut into small pieces so that the joins
-- with stations and addresses use the index.
CREATE TEMP TABLE near_pieces ON COMMIT DROP AS
SELECT ST_Subdivide(u, 64) AS g
FROM (SELECT ST_Union(ST_Buffer(g, $1::float8 + radius_m, 8)) AS u FROM metric_features) x
WHERE NOT ST_IsEmpty(u)
