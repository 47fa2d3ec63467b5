-- A door of the campaign by address id, with its polling station and that station's district
-- (the district it overlaps most), for the outcome's row and scoped live viewers.
SELECT ad.id, ad.number || ' ' || ad.street AS label, ad.polling_station_id AS area_id, a.code AS station,
       (SELECT p.code FROM area_overlaps o JOIN areas p ON p.id = o.parent_id
        WHERE o.child_id = a.id AND p.level = 'district'
        ORDER BY o.share DESC, p.id LIMIT 1) AS district_code
FROM addresses ad
LEFT JOIN areas a ON a.id = ad.polling_station_id
WHERE ad.campaign_id = $1 AND ad.id = $2
