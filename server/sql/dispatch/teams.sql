-- Every team of the campaign with its members, home district code, coordinator's login and its
-- current assignment (station code, name).
SELECT t.id, t.name, h.code AS home, co.login AS coordinator,
       coalesce(array_agg(tm.user_id ORDER BY tm.user_id) FILTER (WHERE tm.user_id IS NOT NULL), '{}') AS members,
       cur.area_id, cur.code, cur.area_name, cur.created_at AS assigned_at, cur.turf_id
FROM teams t
LEFT JOIN areas h ON h.id = t.home_area_id
LEFT JOIN users co ON co.id = t.coordinator_id
LEFT JOIN team_members tm ON tm.team_id = t.id
LEFT JOIN LATERAL (
    SELECT a.area_id, ar.code, ar.name AS area_name, a.created_at, a.turf_id
    FROM assignments a JOIN areas ar ON ar.id = a.area_id
    WHERE a.team_id = t.id AND a.ended_at IS NULL
    ORDER BY a.created_at DESC, a.id DESC LIMIT 1
) cur ON true
WHERE t.campaign_id = $1
GROUP BY t.id, t.name, h.code, co.login, cur.area_id, cur.code, cur.area_name, cur.created_at, cur.turf_id
ORDER BY t.id
