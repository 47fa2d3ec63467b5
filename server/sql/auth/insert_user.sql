INSERT INTO users (login, name, token_hash)
VALUES ($1, $2, $3)
RETURNING id
