-- A contact, whole ($1 id, $2 campaign).
SELECT c.id, c.name, c.phone, c.email, c.topics, c.support, a.code AS station, c.consent_version,
       c.consent_lang, c.consented_at, c.created_at, c.last_contact_at
FROM contacts c LEFT JOIN areas a ON a.id = c.area_id WHERE c.id = $1 AND c.campaign_id = $2
