-- Put the campaign's not-yet-located addresses covered by one polling station ($2) in it. One
-- polygon per statement, given as a constant (an init plan), keeps the plan fixed whatever the
-- statistics and however often the statement is reused: the points' GiST index finds those in
-- the polygon's box, then the exact test runs against that one, prepared, polygon. (A join
-- here got a generic plan after a few executions that took a minute for Paris instead of 3 s.)
-- Stations are taken in id order, so a point two stations cover goes to the lower id.
UPDATE addresses SET polling_station_id = $2
WHERE campaign_id = $1 AND polling_station_id IS NULL
  AND ST_Covers((SELECT geom FROM areas WHERE id = $2 AND campaign_id = $1), geom)
