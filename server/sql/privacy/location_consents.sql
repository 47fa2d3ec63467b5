SELECT version, agreed_at, withdrawn_at FROM location_consents WHERE user_id = $1 AND campaign_id = $2 ORDER BY id
