-- Delete the account ($1), its token with it, if it belongs to no campaign any more.
WITH gone AS (DELETE FROM users WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM memberships WHERE user_id = $1)
              RETURNING 1)
SELECT count(*) FROM gone
