-- Delete campaign $1's rows past their date: location data before $2, contacts not contacted
-- since $3, audited reads before $4 (the caller sets quadriller.audit_maintenance). One count per table.
WITH shifts AS (DELETE FROM shifts WHERE campaign_id = $1 AND ended_at < $2 RETURNING 1),
     reports AS (DELETE FROM tour_reports WHERE campaign_id = $1 AND created_at < $2 RETURNING 1),
     doors AS (DELETE FROM door_outcomes WHERE campaign_id = $1 AND visited_at < $2 RETURNING 1),
     consents AS (DELETE FROM location_consents WHERE campaign_id = $1 AND withdrawn_at < $2 RETURNING 1),
     invites AS (DELETE FROM invites WHERE campaign_id = $1 AND coalesce(used_at, expires_at) < $2 RETURNING 1),
     contacts AS (DELETE FROM contacts WHERE campaign_id = $1 AND last_contact_at < $3 RETURNING 1),
     audit AS (DELETE FROM audit_log WHERE campaign_id = $1 AND at < $4 RETURNING 1)
SELECT (SELECT count(*) FROM shifts) AS shifts, (SELECT count(*) FROM reports) AS tour_reports,
       (SELECT count(*) FROM doors) AS door_outcomes, (SELECT count(*) FROM consents) AS location_consents,
       (SELECT count(*) FROM invites) AS invites, (SELECT count(*) FROM contacts) AS contacts,
       (SELECT count(*) FROM audit) AS audit_log
