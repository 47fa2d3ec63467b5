-- Campaign $1's decisions on suggestions in [$2, $3), oldest first, with who and the codes.
SELECT d.id, d.team_id, t.name AS team_name, s.code AS suggested, c.code AS chosen, d.decision,
       d.decided_by, u.name AS decided_by_name, d.decided_at, d.suggestion
FROM dispatch_decisions d
JOIN teams t ON t.id = d.team_id
LEFT JOIN areas s ON s.id = d.suggested_area_id
LEFT JOIN areas c ON c.id = d.chosen_area_id
LEFT JOIN users u ON u.id = d.decided_by
WHERE d.campaign_id = $1 AND d.decided_at >= $2 AND d.decided_at < $3
ORDER BY d.decided_at, d.id
