DELETE FROM area_overlaps o
USING areas a
WHERE o.child_id = a.id AND a.campaign_id = $1
