-- Bulk memberships with one role; an existing membership keeps its role.
INSERT INTO memberships (user_id, campaign_id, role)
SELECT u, $2, $3 FROM unnest($1::bigint[]) AS u
ON CONFLICT (user_id, campaign_id) DO NOTHING
