-- Every polling station of campaign $1 with what ranks it: its results in election $2 (share of
-- list $5 when given) and how it was canvassed in [$3, $4): distinct volunteers who were there,
-- seen by their pings or by a tour report for the station (a volunteer who declined tracking
-- still canvassed), pings, doors knocked as reported, and the last visit. Every list's figures
-- come along for the targeting modes (server/targeting).
WITH pinged AS (
    SELECT polling_station_id AS id, volunteer_id AS v, ts
    FROM pings
    WHERE campaign_id = $1 AND ts >= $3 AND ts < $4 AND polling_station_id IS NOT NULL
), reported AS (
    SELECT area_id AS id, user_id AS v, created_at AS ts, doors_knocked
    FROM tour_reports
    WHERE campaign_id = $1 AND created_at >= $3 AND created_at < $4 AND area_id IS NOT NULL
), visits AS (
    SELECT id, count(DISTINCT v) AS volunteers, max(ts) AS last_visit
    FROM (SELECT id, v, ts FROM pinged UNION ALL SELECT id, v, ts FROM reported) seen
    GROUP BY id
), ping_counts AS (
    SELECT id, count(*) AS pings FROM pinged GROUP BY id
), doors AS (
    SELECT id, sum(doors_knocked) AS knocked, count(*) AS reports FROM reported GROUP BY id
)
SELECT a.id, a.code, a.name, r.registered, r.voters, r.abstentions, r.valid_votes, r.lists,
       CASE WHEN $5::text IS NULL THEN NULL ELSE (r.lists -> $5 ->> 'share')::float8 END AS list_share,
       coalesce(v.volunteers, 0) AS volunteers, coalesce(pc.pings, 0) AS pings, v.last_visit,
       coalesce(d.knocked, 0) AS doors_knocked, coalesce(d.reports, 0) AS reports,
       ST_X(c.p) AS lon, ST_Y(c.p) AS lat
FROM areas a
CROSS JOIN LATERAL (SELECT ST_PointOnSurface(a.geom) AS p) c
LEFT JOIN election_results r ON r.campaign_id = a.campaign_id AND r.election = $2 AND r.code = a.code
LEFT JOIN visits v ON v.id = a.id
LEFT JOIN ping_counts pc ON pc.id = a.id
LEFT JOIN doors d ON d.id = a.id
WHERE a.campaign_id = $1 AND a.level = 'polling_station'
