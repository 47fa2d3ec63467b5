-- The session's staging table for large batches (pings/insert_staged): binary COPY fills it, the
-- INSERT below moves it into pings, and the commit empties it. Temporary (no WAL, no indexes)
-- and made once per connection; IF NOT EXISTS makes this a catalog lookup afterwards. Its
-- columns are server/pings/queries.INSERT_COLUMNS.
CREATE TEMP TABLE IF NOT EXISTS ping_stage (
    campaign_id int, volunteer_id bigint, source text, seq bigint, t float8, rt_ms float8,
    lon float8, lat float8, acc real, alt real, spd real, hdg real, bat real, cell bigint,
    polling_station_id bigint, neighbourhood_id bigint, district_id bigint, low_accuracy bool
) ON COMMIT DELETE ROWS
