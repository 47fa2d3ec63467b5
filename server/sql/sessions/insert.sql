-- A new session for user $1 with token hash $2, valid $3 seconds, at most $4 seconds in all.
INSERT INTO hq_sessions (user_id, token_hash, expires_at, ends_at)
VALUES ($1, $2, now() + least($3::float8, $4::float8) * interval '1 second', now() + $4::float8 * interval '1 second')
RETURNING id, expires_at, ends_at, extract(epoch FROM expires_at - now())::float8 AS expires_in_s,
          extract(epoch FROM ends_at - now())::float8 AS ends_in_s
