INSERT INTO addresses (campaign_id, ext_id, number, street, postcode, geom)
SELECT $1, ext_id, number, street, postcode, ST_SetSRID(ST_MakePoint(lon, lat), 4326)
FROM address_staging
