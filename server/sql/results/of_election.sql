SELECT code, registered, voters, abstentions, valid_votes, lists
FROM election_results
WHERE campaign_id = $1 AND election = $2
