-- Each station's share beyond $3 metres of layer $2 (campaign $1), by code, if computed for the
-- stations as they are now (a re-import of the stations deletes the shares with the old areas).
SELECT a.code, z.share_area, z.share_addresses
FROM station_zone_shares z JOIN areas a ON a.id = z.area_id
WHERE a.campaign_id = $1 AND z.layer_id = $2 AND z.metres = $3
