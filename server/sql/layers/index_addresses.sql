CREATE INDEX ON metric_addresses USING gist (g);
CREATE INDEX ON metric_addresses (station_id);
ANALYZE metric_addresses
