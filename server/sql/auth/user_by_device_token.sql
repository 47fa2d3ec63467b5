-- A device token ($1, hashed), unless issued more than $2 days ago (NULL: no expiry).
SELECT u.id, u.login, u.name
FROM users u
WHERE u.device_token_hash = $1
  AND ($2::float8 IS NULL OR u.device_token_issued_at > now() - $2::float8 * interval '1 day')
