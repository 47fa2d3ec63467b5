-- Reports of a campaign in [$2, $3), newest first, optionally of one station ($4, code), one
-- volunteer ($5) or one report ($7), at most $6.
SELECT r.id, r.user_id, u.name, r.shift_id, r.team_id, a.code AS station,
       a.name AS station_name, r.area_source, r.doors_knocked, r.doors_opened, r.contacts, r.tags,
       r.created_at
FROM tour_reports r
JOIN users u ON u.id = r.user_id
LEFT JOIN areas a ON a.id = r.area_id
WHERE r.campaign_id = $1 AND r.created_at >= $2 AND r.created_at < $3
  AND ($4::text IS NULL OR a.code = $4)
  AND ($5::bigint IS NULL OR r.user_id = $5)
  AND ($7::bigint IS NULL OR r.id = $7)
ORDER BY r.created_at DESC, r.id DESC
LIMIT $6
