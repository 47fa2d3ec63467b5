SELECT c.id AS campaign_id, c.slug, c.name, m.role
FROM memberships m
JOIN campaigns c ON c.id = m.campaign_id
WHERE m.user_id = $1
ORDER BY c.slug
