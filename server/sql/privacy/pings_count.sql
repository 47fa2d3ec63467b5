SELECT count(*) FROM pings WHERE volunteer_id = $1 AND campaign_id = $2
