-- A polling station of the campaign, by code ($2) or id ($3), with its district's code (the
-- district it overlaps most) for district-scoped live viewers.
SELECT a.id, a.code, a.name,
       (SELECT p.code FROM area_overlaps o JOIN areas p ON p.id = o.parent_id
        WHERE o.child_id = a.id AND p.level = 'district'
        ORDER BY o.share DESC, p.id LIMIT 1) AS district_code
FROM areas a
WHERE a.campaign_id = $1 AND a.level = 'polling_station' AND (a.code = $2 OR a.id = $3)
LIMIT 1
