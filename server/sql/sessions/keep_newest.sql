-- Keep user $1's $2 newest sessions: signing in again and again (a browser that lost its storage,
-- a script) never piles up live tokens.
DELETE FROM hq_sessions
WHERE user_id = $1
  AND id NOT IN (SELECT id FROM hq_sessions WHERE user_id = $1 ORDER BY id DESC LIMIT $2)
