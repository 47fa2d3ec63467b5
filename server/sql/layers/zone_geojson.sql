-- The zone of layer $2 at $3 metres for campaign $1, as GeoJSON for the map: "near" (within the
-- distance) or "beyond" (the stations' union minus near), simplified to about 5 m.
SELECT ST_AsGeoJSON(ST_SimplifyPreserveTopology(
         CASE WHEN $4 = 'near' THEN z.near
              ELSE ST_Difference((SELECT ST_Union(geom_display) FROM areas
                                  WHERE campaign_id = $1 AND level = 'polling_station'), z.near) END,
         0.00005), 6)::json
FROM layer_zones z WHERE z.layer_id = $2 AND z.metres = $3
