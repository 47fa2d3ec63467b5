-- The API token or a device token ($1, hashed); a device token issued more than $2 days ago
-- (NULL: no expiry) no longer counts.
SELECT u.id, u.login, u.name
FROM users u
WHERE u.token_hash = $1
   OR (u.device_token_hash = $1
       AND ($2::float8 IS NULL OR u.device_token_issued_at > now() - $2::float8 * interval '1 day'))
