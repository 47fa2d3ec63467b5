-- Delete pings of campaign $1, of one volunteer ($2, NULL: all) taken before $3 (NULL: ever),
-- first folding them into ping_cell_days (per day and H3 cell, res 11 and its res-9 parent, as
-- pings_retire does), so that coverage counts stay as they were and identify no one. Used by an
-- erasure (one volunteer) and by retention (a campaign whose location retention is shorter than
-- the server's, which pings_retire applies to whole day partitions). Returns how many were deleted.
WITH gone AS (
    DELETE FROM pings
    WHERE campaign_id = $1 AND ($2::bigint IS NULL OR volunteer_id = $2) AND ($3::timestamptz IS NULL OR ts < $3)
    RETURNING campaign_id, ts, cell
), fine AS (
    INSERT INTO ping_cell_days (campaign_id, day, res, cell, pings, volunteers)
    SELECT campaign_id, (ts AT TIME ZONE 'UTC')::date, 11, cell, count(*), 1 FROM gone GROUP BY 1, 2, 4
    ON CONFLICT (campaign_id, day, res, cell) DO UPDATE
      SET pings = ping_cell_days.pings + EXCLUDED.pings,
          volunteers = greatest(ping_cell_days.volunteers, EXCLUDED.volunteers)
), coarse AS (
    INSERT INTO ping_cell_days (campaign_id, day, res, cell, pings, volunteers)
    SELECT campaign_id, (ts AT TIME ZONE 'UTC')::date, 9,
           (cell & ~(15::bigint << 52)) | (9::bigint << 52) | 258048, count(*), 1
    FROM gone GROUP BY 1, 2, 4
    ON CONFLICT (campaign_id, day, res, cell) DO UPDATE
      SET pings = ping_cell_days.pings + EXCLUDED.pings,
          volunteers = greatest(ping_cell_days.volunteers, EXCLUDED.volunteers)
)
SELECT count(*) FROM gone
