-- One level's areas for display, with the code of each coarser level they overlap most.
SELECT a.id, a.code, a.name, a.level, a.repaired,
       ST_AsGeoJSON(a.geom_display, 6) AS geometry,
       (SELECT p.code FROM area_overlaps o JOIN areas p ON p.id = o.parent_id
        WHERE o.child_id = a.id AND p.level = 'district'
        ORDER BY o.share DESC, p.id LIMIT 1) AS district_code,
       (SELECT p.code FROM area_overlaps o JOIN areas p ON p.id = o.parent_id
        WHERE o.child_id = a.id AND p.level = 'neighbourhood'
        ORDER BY o.share DESC, p.id LIMIT 1) AS neighbourhood_code
FROM areas a
WHERE a.campaign_id = $1 AND a.level = $2
  AND ($3::text IS NULL OR a.code = $3)
ORDER BY a.code
