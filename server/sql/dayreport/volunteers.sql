-- Per volunteer of campaign $1 active in [$2, $3): their team (the first by id), shifts and time
-- on the ground (shift time inside the window), doors knocked and opened and contacts (tour
-- reports), and the polling stations they were in (pings) or reported.
WITH sh AS (
    SELECT user_id, count(*) AS shifts,
           sum(extract(epoch FROM least(coalesce(ended_at, now()), $3) - greatest(started_at, $2))) AS seconds
    FROM shifts
    WHERE campaign_id = $1 AND started_at < $3 AND coalesce(ended_at, now()) > $2
    GROUP BY user_id
), rep AS (
    SELECT user_id, count(*) AS reports, sum(doors_knocked) AS knocked, sum(doors_opened) AS opened,
           sum(contacts) AS contacts
    FROM tour_reports WHERE campaign_id = $1 AND created_at >= $2 AND created_at < $3
    GROUP BY user_id
), seen AS (
    SELECT v, array_agg(DISTINCT code ORDER BY code) AS stations FROM (
        SELECT p.volunteer_id AS v, a.code FROM pings p JOIN areas a ON a.id = p.polling_station_id
        WHERE p.campaign_id = $1 AND p.ts >= $2 AND p.ts < $3
        UNION
        SELECT r.user_id, a.code FROM tour_reports r JOIN areas a ON a.id = r.area_id
        WHERE r.campaign_id = $1 AND r.created_at >= $2 AND r.created_at < $3
    ) x GROUP BY v
)
SELECT u.id, u.name,
       (SELECT min(tm.team_id) FROM team_members tm JOIN teams t ON t.id = tm.team_id
        WHERE tm.user_id = u.id AND t.campaign_id = $1) AS team_id,
       coalesce(sh.shifts, 0) AS shifts, coalesce(sh.seconds, 0)::float8 AS seconds,
       coalesce(rep.reports, 0) AS reports, coalesce(rep.knocked, 0) AS knocked, coalesce(rep.opened, 0) AS opened,
       coalesce(rep.contacts, 0) AS contacts, coalesce(seen.stations, '{}') AS stations
FROM users u
JOIN memberships m ON m.user_id = u.id AND m.campaign_id = $1
LEFT JOIN sh ON sh.user_id = u.id
LEFT JOIN rep ON rep.user_id = u.id
LEFT JOIN seen ON seen.v = u.id
WHERE sh.user_id IS NOT NULL OR rep.user_id IS NOT NULL OR seen.v IS NOT NULL
ORDER BY u.name, u.id
