CREATE INDEX ON metric_features USING gist (g);
CREATE INDEX ON metric_features USING gist (shape);
CREATE INDEX ON metric_stations USING gist (g);
ANALYZE metric_features;
ANALYZE metric_stations
