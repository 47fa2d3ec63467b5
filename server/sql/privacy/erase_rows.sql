-- Delete the volunteer's ($1) rows of campaign $2 that exist because of them, and detach what
-- is another person's (contacts they added) or the campaign's (invites); one count per table.
WITH shifts AS (DELETE FROM shifts WHERE user_id = $1 AND campaign_id = $2 RETURNING 1),
     reports AS (DELETE FROM tour_reports WHERE user_id = $1 AND campaign_id = $2 RETURNING 1),
     doors AS (DELETE FROM door_outcomes WHERE user_id = $1 AND campaign_id = $2 RETURNING 1),
     consents AS (DELETE FROM location_consents WHERE user_id = $1 AND campaign_id = $2 RETURNING 1),
     teams AS (DELETE FROM team_members tm USING teams t
               WHERE tm.team_id = t.id AND tm.user_id = $1 AND t.campaign_id = $2 RETURNING 1),
     contacts AS (UPDATE contacts SET added_by = NULL WHERE added_by = $1 AND campaign_id = $2 RETURNING 1),
     invites AS (UPDATE invites SET created_by = CASE WHEN created_by = $1 THEN NULL ELSE created_by END,
                                    used_by = CASE WHEN used_by = $1 THEN NULL ELSE used_by END
                 WHERE (created_by = $1 OR used_by = $1) AND campaign_id = $2 RETURNING 1),
     memberships AS (DELETE FROM memberships WHERE user_id = $1 AND campaign_id = $2 RETURNING 1)
SELECT (SELECT count(*) FROM shifts) AS shifts, (SELECT count(*) FROM reports) AS tour_reports,
       (SELECT count(*) FROM doors) AS door_outcomes, (SELECT count(*) FROM consents) AS location_consents,
       (SELECT count(*) FROM teams) AS team_members, (SELECT count(*) FROM contacts) AS contacts_detached,
       (SELECT count(*) FROM invites) AS invites_detached, (SELECT count(*) FROM memberships) AS memberships
