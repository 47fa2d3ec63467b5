-- Members of campaign $1 whose role is one of $2 (login, name, role), by name; at most $3 of them.
SELECT u.login, u.name, m.role
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.campaign_id = $1 AND m.role = ANY($2::text[])
ORDER BY u.name, u.login
LIMIT $3
