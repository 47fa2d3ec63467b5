"""History for the HQ map: coverage hexes (from PostGIS, or live from Redis) and replay tracks."""
