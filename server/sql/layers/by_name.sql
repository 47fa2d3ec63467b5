SELECT id, name, kinds, value_field, weight_field, features, imported_at
FROM layers WHERE campaign_id = $1 AND name = $2
