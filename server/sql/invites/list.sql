-- A campaign's invites, newest first (never their secret).
SELECT i.id, i.role, t.name AS team, i.created_at, i.expires_at, i.used_at, u.name AS used_by
FROM invites i LEFT JOIN teams t ON t.id = i.team_id LEFT JOIN users u ON u.id = i.used_by
WHERE i.campaign_id = $1 ORDER BY i.created_at DESC, i.id DESC LIMIT $2
