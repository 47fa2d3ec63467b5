-- How many distinct volunteers reported in [$2, $3) (not the sum over stations: one volunteer
-- may report at several).
SELECT count(DISTINCT user_id) FROM tour_reports WHERE campaign_id = $1 AND created_at >= $2 AND created_at < $3
