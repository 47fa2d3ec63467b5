-- Campaign $1's alert thresholds (no row: the defaults).
SELECT out_of_zone_min, idle_min, stale_min, low_battery, updated_at FROM alert_settings WHERE campaign_id = $1
