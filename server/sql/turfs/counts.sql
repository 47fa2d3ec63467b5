-- Per polling station of campaign $1 that has turfs: how many (how many teams it can take).
SELECT a.code, count(*) AS turfs
FROM turfs t JOIN areas a ON a.id = t.area_id
WHERE t.campaign_id = $1
GROUP BY a.code
