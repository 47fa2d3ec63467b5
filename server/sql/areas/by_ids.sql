SELECT id, level, code, name
FROM areas
WHERE id = ANY($1::bigint[])
