-- Every volunteer's recorded positions in [$2, $3], at most one per $4-second bucket counted from
-- $2 (the first accurate ping of the bucket, else its first ping), as arrays per volunteer,
-- oldest first.
-- Times are seconds since $2 (0.1 s), coordinates rounded to 1e-5 degrees (about 1 m).
WITH sampled AS (
    SELECT DISTINCT ON (volunteer_id, floor((extract(epoch FROM ts) - extract(epoch FROM $2::timestamptz))::float8 / $4::float8))
           volunteer_id, ts, geog
    FROM pings
    WHERE campaign_id = $1 AND ts >= $2 AND ts <= $3
    ORDER BY volunteer_id, floor((extract(epoch FROM ts) - extract(epoch FROM $2::timestamptz))::float8 / $4::float8), low_accuracy, ts
)
SELECT volunteer_id,
       array_agg(round((extract(epoch FROM ts) - extract(epoch FROM $2::timestamptz)), 1)::float8 ORDER BY ts) AS t,
       array_agg(round(ST_X(geog::geometry)::numeric, 5)::float8 ORDER BY ts) AS lon,
       array_agg(round(ST_Y(geog::geometry)::numeric, 5)::float8 ORDER BY ts) AS lat
FROM sampled
GROUP BY volunteer_id
ORDER BY volunteer_id
