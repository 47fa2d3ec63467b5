SELECT pings_ensure_partitions($1::date, $2::date)
