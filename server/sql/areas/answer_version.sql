-- What a campaign's map answers are built from: any import of areas or results changes it
-- (an import replaces rows, so their ids or timestamps move), plus the default election.
SELECT (SELECT count(*) || '|' || coalesce(max(imported_at), 'epoch')::text || '|' || coalesce(sum(id), 0)
        FROM areas WHERE campaign_id = $1)
       || '/' ||
       (SELECT count(*) || '|' || coalesce(max(imported_at), 'epoch')::text
        FROM election_results WHERE campaign_id = $1) AS version,
       (SELECT election FROM election_results WHERE campaign_id = $1
        ORDER BY imported_at DESC, election LIMIT 1) AS latest_election
