-- Store one door outcome; nothing when this phone already sent it (same client_id): the caller
-- then reads the stored one, so an outbox resend after a lost answer is stored once.
INSERT INTO door_outcomes (campaign_id, address_id, area_id, user_id, team_id, shift_id, outcome, client_id,
                           visited_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (campaign_id, user_id, client_id) DO NOTHING
RETURNING id
