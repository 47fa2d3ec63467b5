-- Teams of campaign $1 whose current assignment is a turf (of doors) where every door has had an
-- outcome since the team was sent there (outcomes arrive at server time: no phone clock involved);
-- only the turfs holding address $2 when it is not NULL (the door just recorded, as outcome $3:
-- the turf is finished by it only if that door had no other outcome since).
SELECT a.team_id, tm.name AS team_name, t.id AS turf_id, t.number, ar.code AS station
FROM assignments a
JOIN teams tm ON tm.id = a.team_id
JOIN turfs t ON t.id = a.turf_id
JOIN areas ar ON ar.id = t.area_id
WHERE a.campaign_id = $1 AND a.ended_at IS NULL AND cardinality(t.address_ids) > 0
  AND ($2::bigint IS NULL OR $2 = ANY(t.address_ids))
  AND ($3::bigint IS NULL OR NOT EXISTS (
      SELECT 1 FROM door_outcomes o
      WHERE o.campaign_id = $1 AND o.address_id = $2 AND o.created_at >= a.created_at AND o.id <> $3
  ))
  AND NOT EXISTS (
      SELECT 1 FROM unnest(t.address_ids) AS d(address_id)
      WHERE NOT EXISTS (
          SELECT 1 FROM door_outcomes o
          WHERE o.campaign_id = $1 AND o.address_id = d.address_id AND o.created_at >= a.created_at
      )
  )
ORDER BY a.team_id
