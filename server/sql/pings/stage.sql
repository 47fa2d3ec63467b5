-- The session's staging table for large batches (pings/insert_staged): binary COPY fills it, the
-- INSERT below moves it into pings, and the commit empties it. Temporary (no WAL, no indexes)
-- and made once per connection; IF NOT EXISTS makes this a catalog lookup afterwards.
CREATE TEMP TABLE IF NOT EXISTS ping_stage (
    c int, v bigint, s text, q bigint, t float8, rt float8, lon float8, lat float8,
    acc real, alt real, spd real, hdg real, bat real, cell bigint, ps bigint, nb bigint, ds bigint,
    low bool
) ON COMMIT DELETE ROWS
