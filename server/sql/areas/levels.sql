SELECT level, count(*) AS n, count(*) FILTER (WHERE repaired) AS repaired
FROM areas
WHERE campaign_id = $1
GROUP BY level
