-- Days already folded into ping_cell_days by pings_retire, overlapping [$2, $3], by parent cell at
-- resolution $4: from the res-9 rows when $4 <= 9, else from the res-11 rows. A retired day
-- keeps distinct volunteers per day and cell only, so across days or child cells `volunteers`
-- is a sum: an upper bound (the route says "approximate").
SELECT (cell & ~(15::bigint << 52)) | ($4::int::bigint << 52) | ((1::bigint << (3 * (15 - $4::int))) - 1) AS cell,
       sum(pings)::bigint AS pings,
       sum(volunteers)::bigint AS volunteers,
       extract(epoch FROM min(day)::timestamp AT TIME ZONE 'UTC')::float8 AS first
FROM ping_cell_days
WHERE campaign_id = $1
  AND res = CASE WHEN $4::int <= 9 THEN 9 ELSE 11 END
  AND day >= ($2::timestamptz AT TIME ZONE 'UTC')::date
  AND day <= ($3::timestamptz AT TIME ZONE 'UTC')::date
GROUP BY 1
