-- The session of token hash $1: its current token, or the one it replaced while that one's grace
-- lasts. `live` says whether the session has not expired yet.
SELECT s.id AS session_id, s.expires_at, s.ends_at, s.expires_at > now() AS live,
       u.id, u.login, u.name
FROM hq_sessions s
JOIN users u ON u.id = s.user_id
WHERE s.token_hash = $1 OR (s.previous_token_hash = $1 AND s.previous_valid_until > now())
