-- The retention job: sessions expired before $1 hold nothing anyone can use.
WITH gone AS (DELETE FROM hq_sessions WHERE expires_at < $1 RETURNING 1)
SELECT count(*) FROM gone
