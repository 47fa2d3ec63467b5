-- Shifts that ended before the retention cutoff ($1) go with their pings: when someone worked
-- is personal data too. Open shifts are kept whatever their age (they end by timeout).
WITH gone AS (DELETE FROM shifts WHERE ended_at < $1 RETURNING 1)
SELECT count(*) FROM gone
