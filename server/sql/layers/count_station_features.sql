-- Whether layer $1's station features are current for campaign $2: one row per current station,
-- weighted by addresses exactly where the station has some now (addresses imported, or
-- re-imported, after the layer call for a recomputation).
SELECT (SELECT count(*) FROM station_layer_features f JOIN areas a ON a.id = f.area_id WHERE f.layer_id = $1)
     = (SELECT count(*) FROM areas WHERE campaign_id = $2 AND level = 'polling_station')
   AND NOT EXISTS (
       SELECT 1 FROM station_layer_features f
       WHERE f.layer_id = $1
         AND (f.weighting = 'addresses') <> EXISTS (SELECT 1 FROM addresses ad WHERE ad.polling_station_id = f.area_id))
