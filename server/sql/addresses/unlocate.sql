-- Forget where the campaign's addresses are, before locating them again.
UPDATE addresses SET polling_station_id = NULL WHERE campaign_id = $1 AND polling_station_id IS NOT NULL
