INSERT INTO memberships (user_id, campaign_id, role)
VALUES ($1, $2, $3)
