-- Remove the turfs of station (area id) $2 in campaign $1, before cutting it again.
DELETE FROM turfs WHERE campaign_id = $1 AND area_id = $2
