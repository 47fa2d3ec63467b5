-- One audited read.
INSERT INTO audit_log (campaign_id, user_id, login, action, scope) VALUES ($1, $2, $3, $4, $5)
