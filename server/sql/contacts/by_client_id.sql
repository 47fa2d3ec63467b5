-- The contact this volunteer already sent with this client_id.
SELECT id FROM contacts WHERE campaign_id = $1 AND added_by = $2 AND client_id = $3
