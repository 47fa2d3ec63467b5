-- Whether list $3 ran in election $2 of campaign $1 (in at least one polling station).
SELECT EXISTS (SELECT 1 FROM election_results WHERE campaign_id = $1 AND election = $2 AND lists ? $3)
