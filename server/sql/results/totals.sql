SELECT count(*) AS stations, sum(registered) AS registered, sum(voters) AS voters,
       sum(valid_votes) AS valid_votes
FROM election_results
WHERE campaign_id = $1 AND election = $2
