CREATE TEMP TABLE address_staging (
    ext_id   text NOT NULL,
    number   text NOT NULL,
    street   text NOT NULL,
    postcode text,
    lon      float8 NOT NULL,
    lat      float8 NOT NULL
) ON COMMIT DROP
