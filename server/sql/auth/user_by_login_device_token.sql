SELECT u.id, u.login, u.name
FROM users u
WHERE u.login = $1 AND u.device_token_hash = $2
