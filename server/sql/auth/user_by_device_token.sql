SELECT u.id, u.login, u.name
FROM users u
WHERE u.device_token_hash = $1
