-- Remove login $2 from campaign $1 (the slug): their tokens no longer open it.
DELETE FROM memberships m
USING users u, campaigns c
WHERE m.user_id = u.id AND m.campaign_id = c.id AND c.slug = $1 AND u.login = $2
RETURNING m.user_id, m.campaign_id, m.role
