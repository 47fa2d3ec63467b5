-- The shift a report is about: the volunteer's open shift, else the one that ended last, if it
-- ended less than $3 hours ago (the report is often written just after ending the shift).
SELECT id, started_at, coalesce(ended_at, now()) AS ended_at
FROM shifts
WHERE campaign_id = $1 AND user_id = $2
  AND (ended_at IS NULL OR ended_at > now() - make_interval(hours => $3::int))
ORDER BY (ended_at IS NULL) DESC, ended_at DESC, id DESC
LIMIT 1
