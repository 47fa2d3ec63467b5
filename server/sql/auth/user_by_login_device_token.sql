-- Login $1 with its device token ($2, hashed), unless issued more than $3 days ago (NULL: no expiry).
SELECT u.id, u.login, u.name
FROM users u
WHERE u.login = $1 AND u.device_token_hash = $2
  AND ($3::float8 IS NULL OR u.device_token_issued_at > now() - $3::float8 * interval '1 day')
