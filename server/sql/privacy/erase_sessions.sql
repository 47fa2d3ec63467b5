-- The account's ($1) HQ sessions, when it belongs to no campaign any more (erase_account then
-- deletes it; the foreign key would take them too, this counts them).
WITH gone AS (DELETE FROM hq_sessions WHERE user_id = $1 AND NOT EXISTS (SELECT 1 FROM memberships WHERE user_id = $1)
              RETURNING 1)
SELECT count(*) FROM gone
