-- Every campaign with its retention settings.
SELECT id, slug, location_retention_days, contact_retention_days, audit_retention_days FROM campaigns ORDER BY id
