-- A new invite; the secret is kept only as its SHA-256.
INSERT INTO invites (campaign_id, team_id, role, secret_hash, created_by, expires_at)
VALUES ($1, $2, $3, $4, $5, now() + make_interval(hours => $6::int))
RETURNING id, role, team_id, created_at, expires_at
