CREATE TEMP TABLE area_staging (
    code     text NOT NULL,
    name     text,
    wkb      bytea NOT NULL,
    props    jsonb NOT NULL,
    repaired boolean NOT NULL
) ON COMMIT DROP
