-- Put members of campaign $1 ($3, user ids) in team $2; non-members of the campaign are skipped
-- (the caller compares counts to report them).
INSERT INTO team_members (team_id, user_id)
SELECT $2, m.user_id FROM memberships m
WHERE m.campaign_id = $1 AND m.user_id = ANY($3::bigint[])
ON CONFLICT DO NOTHING
RETURNING user_id
