-- Every layer's features per station of campaign $1, by station code.
SELECT a.code, l.name AS layer, f.distance_m, f.value_sum, f.value_mean, f.weighting
FROM station_layer_features f
JOIN layers l ON l.id = f.layer_id
JOIN areas a ON a.id = f.area_id
WHERE l.campaign_id = $1 AND a.campaign_id = $1
