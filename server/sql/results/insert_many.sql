INSERT INTO election_results
    (campaign_id, election, code, registered, voters, abstentions, valid_votes, lists, derived)
SELECT $1, $2, r.code, r.registered, r.voters, r.abstentions, r.valid_votes, r.lists, $3
FROM unnest($4::text[], $5::int[], $6::int[], $7::int[], $8::int[], $9::jsonb[])
     AS r(code, registered, voters, abstentions, valid_votes, lists)
