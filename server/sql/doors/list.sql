-- Outcomes of a campaign visited in [$2, $3), newest first, optionally of one station ($4, code),
-- one volunteer ($5) or one outcome ($7), at most $6.
SELECT o.id, o.address_id, ad.number || ' ' || ad.street AS label, a.code AS station, o.user_id,
       o.team_id, o.shift_id, o.outcome, o.visited_at
FROM door_outcomes o
LEFT JOIN addresses ad ON ad.id = o.address_id
LEFT JOIN areas a ON a.id = o.area_id
WHERE o.campaign_id = $1 AND o.visited_at >= $2 AND o.visited_at < $3
  AND ($4::text IS NULL OR a.code = $4)
  AND ($5::bigint IS NULL OR o.user_id = $5)
  AND ($7::bigint IS NULL OR o.id = $7)
ORDER BY o.visited_at DESC, o.id DESC
LIMIT $6
