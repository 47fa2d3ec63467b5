-- Send team $2 of campaign $1 to area $3 (turf $4 of it, or NULL: the whole station): end its
-- current assignment(s), start this one.
WITH ended AS (
    UPDATE assignments SET ended_at = now()
    WHERE team_id = $2 AND ended_at IS NULL
    RETURNING id
)
INSERT INTO assignments (campaign_id, team_id, area_id, turf_id)
SELECT $1, $2, $3, $4 WHERE (SELECT count(*) FROM ended) >= 0
RETURNING id, created_at
