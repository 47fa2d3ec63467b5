-- For each target of campaign $1, its latest model that beat its baseline (the one the model
-- mode uses), with the figures that justify it; the heavy parts (predictions, explanations) stay
-- in the database.
SELECT DISTINCT ON (target) target, fitted_at, model ->> 'chosen' AS chosen,
       (model -> (model ->> 'chosen') -> 'overall' ->> 'r2')::float8 AS r2,
       (model -> 'baseline' -> 'overall' ->> 'r2')::float8 AS baseline_r2,
       (model ->> 'n')::int AS stations
FROM targeting_models
WHERE campaign_id = $1 AND used
ORDER BY target, fitted_at DESC, id DESC
