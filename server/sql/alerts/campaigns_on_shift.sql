-- Campaigns with someone on shift now (shifts older than $1 hours have expired).
SELECT DISTINCT campaign_id FROM shifts WHERE ended_at IS NULL AND started_at > now() - $1 * interval '1 hour'
