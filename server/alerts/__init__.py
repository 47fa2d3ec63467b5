"""Field alerts: out of zone, idle, stale, low battery (evaluated on the HQ server from the live
state in Redis and the shifts in PostGIS), and SOS from a phone; each acknowledged by a person."""
