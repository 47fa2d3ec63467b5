SELECT r.id, a.code AS station, r.doors_knocked, r.doors_opened, r.contacts, r.tags, r.created_at
FROM tour_reports r LEFT JOIN areas a ON a.id = r.area_id
WHERE r.user_id = $1 AND r.campaign_id = $2 ORDER BY r.id
