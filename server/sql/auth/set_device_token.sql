UPDATE users SET device_token_hash = $2
WHERE id = $1
