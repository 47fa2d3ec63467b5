-- Store a tour report; nothing when this phone already sent this report (same client_id): the
-- caller then reads the stored one, so a resend after a lost answer is stored once.
INSERT INTO tour_reports (campaign_id, user_id, shift_id, team_id, area_id, area_source, client_id,
                          doors_knocked, doors_opened, contacts, tags)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (campaign_id, user_id, client_id) DO NOTHING
RETURNING id
