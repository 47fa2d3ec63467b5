-- Bulk accounts by login (simulated volunteers): created, or given a new name and token hash.
INSERT INTO users (login, name, token_hash)
SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[])
ON CONFLICT (login) DO UPDATE SET token_hash = EXCLUDED.token_hash, name = EXCLUDED.name
RETURNING id, login
