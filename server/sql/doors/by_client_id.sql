-- The outcome this volunteer already sent with this client_id.
SELECT id FROM door_outcomes WHERE campaign_id = $1 AND user_id = $2 AND client_id = $3
