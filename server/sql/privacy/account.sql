-- The account ($1), without its token hash (a secret, not information about the person).
SELECT id, login, name, created_at FROM users WHERE id = $1
