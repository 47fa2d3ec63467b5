-- Set team $2's home district (area code $3 at level 'district', NULL to clear) in campaign $1;
-- returns nothing when the team or the district is not the campaign's.
UPDATE teams t SET home_area_id = d.id
FROM (SELECT (SELECT id FROM areas WHERE campaign_id = $1 AND level = 'district' AND code = $3) AS id) d
WHERE t.id = $2 AND t.campaign_id = $1 AND ($3::text IS NULL OR d.id IS NOT NULL)
RETURNING t.id
