-- Every campaign the account ($1) belongs to: memberships are the account's, not one campaign's.
SELECT c.slug AS campaign, m.role FROM memberships m JOIN campaigns c ON c.id = m.campaign_id
WHERE m.user_id = $1 ORDER BY c.slug
