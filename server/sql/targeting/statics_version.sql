-- What invalidates the cached station statics of campaign $1 for election $2: stations or results
-- re-imported (new ids, a new import time) or removed (fewer rows). Two index scans.
SELECT (SELECT count(*) FROM areas WHERE campaign_id = $1 AND level = 'polling_station') AS stations,
       (SELECT max(id) FROM areas WHERE campaign_id = $1 AND level = 'polling_station') AS last_station,
       (SELECT count(*) FROM election_results WHERE campaign_id = $1 AND election = $2) AS results,
       (SELECT max(imported_at) FROM election_results WHERE campaign_id = $1 AND election = $2) AS imported_at
