-- A member of campaign $2 by login ($1).
SELECT u.id, u.login FROM users u JOIN memberships m ON m.user_id = u.id AND m.campaign_id = $2 WHERE u.login = $1
