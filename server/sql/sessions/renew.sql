-- Rotate the session whose current token hash is $1 to token hash $2, valid $4 seconds more but
-- never past its end; the old token keeps working $3 seconds (requests in flight). Nothing when
-- the session is unknown, superseded or expired.
UPDATE hq_sessions
SET previous_token_hash = token_hash,
    previous_valid_until = now() + $3::float8 * interval '1 second',
    token_hash = $2,
    renewed_at = now(),
    expires_at = least(now() + $4::float8 * interval '1 second', ends_at)
WHERE token_hash = $1 AND expires_at > now()
RETURNING id, expires_at, ends_at, extract(epoch FROM expires_at - now())::float8 AS expires_in_s,
          extract(epoch FROM ends_at - now())::float8 AS ends_in_s
