-- Fresh statistics before locating: without them a new table's plan can scan every point once per station.
ANALYZE addresses
