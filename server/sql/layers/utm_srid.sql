-- A metric projection for campaign $1: the UTM zone (WGS84, EPSG 326xx north / 327xx south) holding
-- the centre of its polling stations. Any city gets its own zone; distortion within a zone is below
-- 0.1 %, and shares (ratios of areas) cancel it out.
SELECT (CASE WHEN ST_Y(c) >= 0 THEN 32600 ELSE 32700 END) + least(60, floor((ST_X(c) + 180) / 6)::int + 1)
FROM (SELECT ST_Centroid(ST_Extent(geom)::geometry) AS c
      FROM areas WHERE campaign_id = $1 AND level = 'polling_station') s
WHERE c IS NOT NULL
