-- Blank the erased reader's id and login in the audit trail of campaign $2 (the reads stay, by
-- no one nameable; a volunteer's own-contacts filter named them too). The caller sets
-- quadriller.audit_maintenance for its transaction.
WITH blanked AS (
    UPDATE audit_log SET user_id = NULL, login = NULL, scope = scope - 'added_by'
    WHERE user_id = $1 AND campaign_id = $2
    RETURNING 1
)
SELECT count(*) FROM blanked
