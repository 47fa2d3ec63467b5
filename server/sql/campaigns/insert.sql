INSERT INTO campaigns (slug, name)
VALUES ($1, $2)
RETURNING id, slug, name
