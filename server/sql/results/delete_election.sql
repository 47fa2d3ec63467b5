DELETE FROM election_results
WHERE campaign_id = $1 AND election = $2
