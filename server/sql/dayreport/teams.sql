-- Per team of campaign $1: its name, the stations and turfs it was assigned in [$2, $3), and what
-- coordinators did with the suggestions made for it then.
SELECT t.id, t.name,
       coalesce((SELECT array_agg(DISTINCT a.code ORDER BY a.code) FROM assignments s JOIN areas a ON a.id = s.area_id
                 WHERE s.team_id = t.id AND s.created_at >= $2 AND s.created_at < $3), '{}') AS assigned,
       (SELECT count(DISTINCT s.turf_id) FROM assignments s
        WHERE s.team_id = t.id AND s.turf_id IS NOT NULL AND s.created_at >= $2 AND s.created_at < $3) AS turfs,
       (SELECT count(*) FROM dispatch_decisions d WHERE d.team_id = t.id AND d.decision = 'accepted'
          AND d.decided_at >= $2 AND d.decided_at < $3) AS accepted,
       (SELECT count(*) FROM dispatch_decisions d WHERE d.team_id = t.id AND d.decision = 'rejected'
          AND d.decided_at >= $2 AND d.decided_at < $3) AS rejected,
       (SELECT count(*) FROM dispatch_decisions d WHERE d.team_id = t.id AND d.decision = 'changed'
          AND d.decided_at >= $2 AND d.decided_at < $3) AS changed
FROM teams t WHERE t.campaign_id = $1
ORDER BY t.name, t.id
