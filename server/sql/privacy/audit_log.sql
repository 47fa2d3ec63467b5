-- The person's audited reads (as a reader).
SELECT action, scope, at FROM audit_log WHERE user_id = $1 AND campaign_id = $2 ORDER BY id
