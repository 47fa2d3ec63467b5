DELETE FROM station_layer_features WHERE layer_id = $1
