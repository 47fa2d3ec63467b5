-- Whether session $1 still exists and has not expired (the live feed's re-check).
SELECT EXISTS (SELECT 1 FROM hq_sessions WHERE id = $1 AND expires_at > now())
