-- The latest outcome of each door of station $2 (code) visited since $3, by anyone.
SELECT DISTINCT ON (o.address_id) o.address_id, o.outcome
FROM door_outcomes o
JOIN areas a ON a.id = o.area_id
WHERE o.campaign_id = $1 AND a.code = $2 AND o.visited_at >= $3 AND o.address_id IS NOT NULL
ORDER BY o.address_id, o.visited_at DESC, o.id DESC
