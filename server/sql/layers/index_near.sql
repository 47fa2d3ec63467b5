-- The near pieces indexed, and a WGS84 copy of them, so that addresses are tested against the
-- pieces through the addresses' own index instead of reprojecting every address.
CREATE INDEX ON near_pieces USING gist (g);
CREATE TEMP TABLE near_wgs84 ON COMMIT DROP AS SELECT ST_Transform(g, 4326) AS g FROM near_pieces;
CREATE INDEX ON near_wgs84 USING gist (g);
ANALYZE near_pieces;
ANALYZE near_wgs84
