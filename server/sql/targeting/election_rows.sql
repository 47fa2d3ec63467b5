-- Results of election $2 in campaign $1, by station code.
SELECT code, registered, abstentions, valid_votes, lists
FROM election_results WHERE campaign_id = $1 AND election = $2
