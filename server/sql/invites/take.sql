-- Use an invite once: only an unused, unexpired one is returned, and it is used by this very
-- statement, so two phones opening the same link cannot both get an account.
UPDATE invites i SET used_at = now()
FROM campaigns c
WHERE i.secret_hash = $1 AND i.used_at IS NULL AND i.expires_at > now() AND c.id = i.campaign_id
RETURNING i.id, i.campaign_id, c.slug, i.role, i.team_id
