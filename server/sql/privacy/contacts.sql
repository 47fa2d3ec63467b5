-- Contacts the volunteer added (held because of them, about other people: listed by id and date).
SELECT id, created_at FROM contacts WHERE added_by = $1 AND campaign_id = $2 ORDER BY id
