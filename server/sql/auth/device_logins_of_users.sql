-- device_logins_of_users
-- Users $1 (ids) with their credentials and memberships, for ingest's login cache re-check: one
-- row per membership (campaign columns NULL when there is none), the device token hash NULL
-- once it was issued more than $2 days ago (NULL: no expiry). An erased user has no row.
SELECT u.id AS user_id, u.login, u.token_hash,
       CASE WHEN $2::float8 IS NULL OR u.device_token_issued_at > now() - $2::float8 * interval '1 day'
            THEN u.device_token_hash END AS device_token_hash,
       c.id AS campaign_id, c.slug, m.role
FROM users u
LEFT JOIN memberships m ON m.user_id = u.id
LEFT JOIN campaigns c ON c.id = m.campaign_id
WHERE u.id = ANY($1::bigint[])
ORDER BY u.id, c.slug
