-- Record consent to text version $3 (the caller withdrew any standing consent to another version).
INSERT INTO location_consents (campaign_id, user_id, version) VALUES ($1, $2, $3)
RETURNING id, version, agreed_at
