SELECT blob
FROM area_index_blobs
WHERE campaign_id = $1 AND version = $2
