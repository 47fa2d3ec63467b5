INSERT INTO layers (campaign_id, name, kinds, value_field, weight_field, features)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id
