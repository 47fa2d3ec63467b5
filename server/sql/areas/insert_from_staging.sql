-- The reader already repaired what shapely calls invalid; ST_MakeValid is a second net for the
-- rare geometry that GEOS and PostGIS judge differently.
WITH g AS (
    SELECT code, name, props, repaired, ST_SetSRID(ST_GeomFromWKB(wkb), 4326) AS geom
    FROM area_staging
), v AS (
    SELECT code, name, props,
           repaired OR NOT ST_IsValid(geom) AS repaired,
           ST_Multi(CASE WHEN ST_IsValid(geom) THEN geom
                         ELSE ST_CollectionExtract(ST_MakeValid(geom), 3) END) AS geom
    FROM g
)
INSERT INTO areas (campaign_id, level, code, name, geom, geom_display, repaired, props)
SELECT $1, $2, code, name, geom,
       -- about 5 m at Paris' latitude: invisible on a city map, a third of the vertices
       ST_Multi(ST_SimplifyPreserveTopology(geom, $3)),
       repaired, props
FROM v
