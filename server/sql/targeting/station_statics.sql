-- Every polling station of campaign $1 with what does not change while a campaign canvasses: its
-- name, its results in election $2 and a point inside it. Cached per (campaign, election) by
-- server/targeting/inputs.py; the visits come fresh from station_visits.sql.
SELECT a.id, a.code, a.name, r.registered, r.voters, r.abstentions, r.valid_votes, r.lists,
       ST_X(c.p) AS lon, ST_Y(c.p) AS lat
FROM areas a
CROSS JOIN LATERAL (SELECT ST_PointOnSurface(a.geom) AS p) c
LEFT JOIN election_results r ON r.campaign_id = a.campaign_id AND r.election = $2 AND r.code = a.code
WHERE a.campaign_id = $1 AND a.level = 'polling_station'
