-- (team, station code) pairs of campaign $1 that a coordinator rejected less than $2 minutes ago:
-- kept out of the suggestions meanwhile (the team stays free for every other station).
SELECT DISTINCT d.team_id, s.code
FROM dispatch_decisions d JOIN areas s ON s.id = d.suggested_area_id
WHERE d.campaign_id = $1 AND d.decision = 'rejected' AND d.decided_at > now() - $2 * interval '1 minute'
