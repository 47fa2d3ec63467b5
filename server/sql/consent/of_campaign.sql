-- Every member of the campaign with their latest consent (standing or withdrawn), for HQ.
SELECT m.user_id, u.name, m.role, c.version, c.agreed_at, c.withdrawn_at
FROM memberships m
JOIN users u ON u.id = m.user_id
LEFT JOIN LATERAL (
    SELECT version, agreed_at, withdrawn_at FROM location_consents lc
    WHERE lc.campaign_id = m.campaign_id AND lc.user_id = m.user_id
    ORDER BY lc.agreed_at DESC, lc.id DESC LIMIT 1
) c ON true
WHERE m.campaign_id = $1
ORDER BY u.name, m.user_id
