SELECT c.id AS campaign_id, c.slug, c.name, m.role
FROM campaigns c
JOIN memberships m ON m.campaign_id = c.id AND m.user_id = $1
WHERE c.slug = $2
