-- The user id of login $2 if they coordinate campaign $1 (role coordinator or admin), else nothing.
SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id
WHERE m.campaign_id = $1 AND u.login = $2 AND m.role IN ('coordinator', 'admin')
