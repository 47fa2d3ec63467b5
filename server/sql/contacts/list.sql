-- Contacts of a campaign created in [$2, $3), newest first, optionally carrying tag $4, met in
-- station $5 (code), added by $6, or one contact ($8); at most $7.
SELECT c.id, c.name, c.phone, c.email, c.topics, c.support, a.code AS station, c.added_by,
       c.consent_version, c.consent_lang, c.consented_at, c.created_at, c.last_contact_at
FROM contacts c
LEFT JOIN areas a ON a.id = c.area_id
WHERE c.campaign_id = $1 AND c.created_at >= $2 AND c.created_at < $3
  AND ($4::text IS NULL OR $4 = ANY(c.topics))
  AND ($5::text IS NULL OR a.code = $5)
  AND ($6::bigint IS NULL OR c.added_by = $6)
  AND ($8::bigint IS NULL OR c.id = $8)
ORDER BY c.created_at DESC, c.id DESC
LIMIT $7
