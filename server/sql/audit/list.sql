-- A campaign's audited reads since $2, oldest first, at most $3.
SELECT id, user_id, login, action, scope, at FROM audit_log
WHERE campaign_id = $1 AND at >= $2
ORDER BY at, id
LIMIT $3
