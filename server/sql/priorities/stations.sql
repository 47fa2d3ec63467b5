-- Every polling station of campaign $1 with what ranks it: its results in election $2 (share of
-- list $5 when given) and how it was canvassed in [$3, $4): distinct volunteers, pings, last ping.
WITH visits AS (
    SELECT polling_station_id AS id, count(DISTINCT volunteer_id) AS volunteers, count(*) AS pings,
           max(ts) AS last_visit
    FROM pings
    WHERE campaign_id = $1 AND ts >= $3 AND ts < $4 AND polling_station_id IS NOT NULL
    GROUP BY polling_station_id
)
SELECT a.id, a.code, a.name, r.registered, r.voters, r.abstentions,
       CASE WHEN $5::text IS NULL THEN NULL ELSE (r.lists -> $5 ->> 'share')::float8 END AS list_share,
       coalesce(v.volunteers, 0) AS volunteers, coalesce(v.pings, 0) AS pings, v.last_visit,
       ST_X(c.p) AS lon, ST_Y(c.p) AS lat
FROM areas a
CROSS JOIN LATERAL (SELECT ST_PointOnSurface(a.geom) AS p) c
LEFT JOIN election_results r ON r.campaign_id = a.campaign_id AND r.election = $2 AND r.code = a.code
LEFT JOIN visits v ON v.id = a.id
WHERE a.campaign_id = $1 AND a.level = 'polling_station'
