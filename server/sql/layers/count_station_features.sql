-- Whether layer $1's station features cover campaign $2's current stations.
SELECT (SELECT count(*) FROM station_layer_features f JOIN areas a ON a.id = f.area_id WHERE f.layer_id = $1)
     = (SELECT count(*) FROM areas WHERE campaign_id = $2 AND level = 'polling_station')
