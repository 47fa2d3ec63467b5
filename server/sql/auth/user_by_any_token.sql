SELECT u.id, u.login, u.name
FROM users u
WHERE u.token_hash = $1 OR u.device_token_hash = $1
