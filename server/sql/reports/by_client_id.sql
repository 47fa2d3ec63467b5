-- The report this volunteer already sent with this client_id.
SELECT id FROM tour_reports WHERE campaign_id = $1 AND user_id = $2 AND client_id = $3
