SELECT o.id, o.address_id, a.code AS station, o.outcome, o.visited_at
FROM door_outcomes o LEFT JOIN areas a ON a.id = o.area_id
WHERE o.user_id = $1 AND o.campaign_id = $2 ORDER BY o.id
