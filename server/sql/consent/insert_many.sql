-- Record consent to version $3 for each of users $2 who has no standing consent (run after
-- consent/withdraw_other_versions): those who already agreed to it keep their row and time.
INSERT INTO location_consents (campaign_id, user_id, version)
SELECT $1, u.id, $3 FROM unnest($2::bigint[]) AS u(id)
WHERE NOT EXISTS (
    SELECT 1 FROM location_consents lc WHERE lc.campaign_id = $1 AND lc.user_id = u.id AND lc.withdrawn_at IS NULL
)
