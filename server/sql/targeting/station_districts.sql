-- Campaign $1's polling stations with their district (the district overlapping most of each),
-- the groups of the model's cross-validation.
SELECT s.code, d.code AS district
FROM areas s
LEFT JOIN LATERAL (
    SELECT p.code FROM area_overlaps o JOIN areas p ON p.id = o.parent_id
    WHERE o.child_id = s.id AND p.level = 'district'
    ORDER BY o.share DESC, p.code LIMIT 1
) d ON true
WHERE s.campaign_id = $1 AND s.level = 'polling_station'
ORDER BY s.code
