-- Each polling station's main parent (largest overlap) at each coarser level.
SELECT DISTINCT ON (c.code, p.level) c.code AS station_code, p.level, p.code AS parent_code
FROM areas c
JOIN area_overlaps o ON o.child_id = c.id
JOIN areas p ON p.id = o.parent_id
WHERE c.campaign_id = $1 AND c.level = 'polling_station'
ORDER BY c.code, p.level, o.share DESC, p.id
