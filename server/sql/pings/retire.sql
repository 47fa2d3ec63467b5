SELECT pings_retire($1::timestamptz)
