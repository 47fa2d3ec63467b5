-- pings/insert_many for a large batch, from the staging table (pings/stage) that a binary COPY
-- filled in the same transaction: the same conversions, the same duplicates skipped.
INSERT INTO pings (campaign_id, volunteer_id, source, seq, ts, received_at, geog, acc, alt, spd,
                   hdg, bat, cell, polling_station_id, neighbourhood_id, district_id, low_accuracy)
SELECT campaign_id, volunteer_id, source, seq, to_timestamp(t), to_timestamp(rt_ms / 1000.0),
       ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography, acc, alt, spd, hdg, bat, cell,
       NULLIF(polling_station_id, -1), NULLIF(neighbourhood_id, -1), NULLIF(district_id, -1),
       low_accuracy
FROM ping_stage
ON CONFLICT DO NOTHING
