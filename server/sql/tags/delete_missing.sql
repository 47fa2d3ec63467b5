-- Remove the campaign's tags that the new vocabulary ($2) no longer has; returns how many.
WITH gone AS (DELETE FROM campaign_tags WHERE campaign_id = $1 AND NOT (tag = ANY($2::text[])) RETURNING 1)
SELECT count(*) FROM gone
