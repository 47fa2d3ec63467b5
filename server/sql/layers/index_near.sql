CREATE INDEX ON near_pieces USING gist (g);
ANALYZE near_pieces
