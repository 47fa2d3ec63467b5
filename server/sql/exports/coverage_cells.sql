-- Coverage in [$2, $3]: pings and distinct volunteers per H3 res-11 cell (low-accuracy fixes
-- left out: a 100 m+ circle says nothing about a street). The volunteer ids come back so that
-- rolling up to a coarser resolution in Python still counts each volunteer once per hexagon.
SELECT cell, count(*) AS pings, array_agg(DISTINCT volunteer_id) AS volunteers
FROM pings
WHERE campaign_id = $1 AND ts >= $2::timestamptz AND ts <= $3::timestamptz AND NOT low_accuracy
GROUP BY cell
