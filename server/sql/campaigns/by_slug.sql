SELECT id, slug, name
FROM campaigns
WHERE slug = $1
