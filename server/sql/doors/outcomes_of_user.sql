-- One volunteer's outcomes visited in [$3, $4), for the counts their tour report starts from.
SELECT outcome FROM door_outcomes
WHERE campaign_id = $1 AND user_id = $2 AND visited_at >= $3 AND visited_at < $4
