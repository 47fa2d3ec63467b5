UPDATE users SET device_token_hash = $2, device_token_issued_at = now()
WHERE id = $1
