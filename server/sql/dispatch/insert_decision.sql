-- Keep a coordinator's decision on a suggestion: team $2 of campaign $1, suggested station code
-- $3, chosen station code $4 (NULL when rejected), decision $5, by user $6, what was suggested $7.
INSERT INTO dispatch_decisions (campaign_id, team_id, suggested_area_id, chosen_area_id, decision, decided_by,
                                suggestion)
SELECT $1, $2,
       (SELECT id FROM areas WHERE campaign_id = $1 AND level = 'polling_station' AND code = $3),
       (SELECT id FROM areas WHERE campaign_id = $1 AND level = 'polling_station' AND code = $4),
       $5, $6, $7::jsonb
RETURNING id, decided_at
