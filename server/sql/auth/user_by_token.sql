SELECT u.id, u.login, u.name
FROM users u
WHERE u.token_hash = $1
