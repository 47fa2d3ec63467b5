-- The account's ($1) HQ sessions: when signed in, renewed, until when; never the token hashes.
SELECT created_at, renewed_at, expires_at, ends_at FROM hq_sessions WHERE user_id = $1 ORDER BY created_at
