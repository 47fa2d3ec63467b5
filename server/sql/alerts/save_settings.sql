-- Set campaign $1's alert thresholds.
INSERT INTO alert_settings (campaign_id, out_of_zone_min, idle_min, stale_min, low_battery)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (campaign_id) DO UPDATE SET
    out_of_zone_min = EXCLUDED.out_of_zone_min, idle_min = EXCLUDED.idle_min, stale_min = EXCLUDED.stale_min,
    low_battery = EXCLUDED.low_battery, updated_at = now()
RETURNING out_of_zone_min, idle_min, stale_min, low_battery, updated_at
