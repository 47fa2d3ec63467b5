-- Sign out: the session $1 stops working at once.
DELETE FROM hq_sessions WHERE id = $1
