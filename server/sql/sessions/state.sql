-- Why token hash $1 did not renew: its session's times, if it is a current token at all.
SELECT expires_at > now() AS live, ends_at <= now() AS ended FROM hq_sessions WHERE token_hash = $1
