SELECT count(*) AS n, coalesce(max(imported_at), 'epoch') AS at, coalesce(sum(id), 0) AS ids
FROM areas
WHERE campaign_id = $1
