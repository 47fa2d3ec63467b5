-- Every (child, coarser parent) overlap with its share of the child's area. Shares are ratios of
-- planar areas in lon/lat, which at city scale equal ratios of true areas to well under 0.1 %.
WITH rank(level, r) AS (
    VALUES ('district', 1), ('neighbourhood', 2), ('polling_station', 3)
)
INSERT INTO area_overlaps (child_id, parent_id, share)
SELECT c.id, p.id, LEAST(1.0, ST_Area(ST_Intersection(c.geom, p.geom)) / ST_Area(c.geom))
FROM areas c
JOIN rank rc ON rc.level = c.level
JOIN areas p ON p.campaign_id = c.campaign_id AND ST_Intersects(c.geom, p.geom)
JOIN rank rp ON rp.level = p.level AND rp.r < rc.r
WHERE c.campaign_id = $1
  AND ST_Area(c.geom) > 0
  AND ST_Area(ST_Intersection(c.geom, p.geom)) > 0
