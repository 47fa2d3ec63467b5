-- Store a consented contact; nothing when this volunteer already sent it (same client_id).
INSERT INTO contacts (campaign_id, added_by, area_id, address_id, name, phone, email, topics, support,
                      consent_version, consent_lang, consented_at, client_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now(), $12)
ON CONFLICT (campaign_id, added_by, client_id) DO NOTHING
RETURNING id
