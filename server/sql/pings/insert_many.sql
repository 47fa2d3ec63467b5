-- One round trip per batch: columns as arrays, unnested; duplicates (a resent ping, or the same
-- ping twice in one batch) are skipped by the (volunteer_id, source, seq, ts) unique index.
-- Area ids: -1 means no area (the pipeline's vectorised lookup has no None).
INSERT INTO pings (campaign_id, volunteer_id, source, seq, ts, received_at, geog, acc, alt, spd,
                   hdg, bat, cell, polling_station_id, neighbourhood_id, district_id, low_accuracy)
SELECT c, v, s, q, to_timestamp(t), to_timestamp(rt / 1000.0),
       ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography,
       acc, alt, spd, hdg, bat, cell, NULLIF(ps, -1), NULLIF(nb, -1), NULLIF(ds, -1), low
FROM unnest($1::int[], $2::bigint[], $3::text[], $4::bigint[], $5::float8[], $6::float8[],
            $7::float8[], $8::float8[], $9::real[], $10::real[], $11::real[], $12::real[],
            $13::real[], $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[], $18::bool[])
     AS u(c, v, s, q, t, rt, lon, lat, acc, alt, spd, hdg, bat, cell, ps, nb, ds, low)
ON CONFLICT DO NOTHING
