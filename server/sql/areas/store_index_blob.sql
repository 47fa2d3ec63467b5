INSERT INTO area_index_blobs (campaign_id, version, blob)
VALUES ($1, $2, $3)
ON CONFLICT (campaign_id) DO UPDATE SET version = excluded.version, blob = excluded.blob, built_at = now()
