SELECT election
FROM election_results
WHERE campaign_id = $1
ORDER BY imported_at DESC, election
LIMIT 1
