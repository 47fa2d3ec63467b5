WITH gone AS (DELETE FROM contacts WHERE id = $1 AND campaign_id = $2 RETURNING 1) SELECT count(*) FROM gone
