-- Per polling station of campaign $1: its doors (addresses located in it) and the code of the
-- district it mostly lies in (largest overlap), for coverage and the home-district preference.
SELECT a.code,
       (SELECT count(*) FROM addresses ad WHERE ad.polling_station_id = a.id) AS doors,
       (SELECT p.code FROM area_overlaps o JOIN areas p ON p.id = o.parent_id
        WHERE o.child_id = a.id AND p.level = 'district'
        ORDER BY o.share DESC, p.code LIMIT 1) AS district
FROM areas a
WHERE a.campaign_id = $1 AND a.level = 'polling_station'
