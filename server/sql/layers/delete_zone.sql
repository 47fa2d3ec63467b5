DELETE FROM layer_zones WHERE layer_id = $1 AND metres = $2
