-- Campaign $1's dispatch rules (NULL row: the defaults apply).
SELECT walk_scale_m, max_walk_m, home_bonus, covered_at, refresh_s, reject_hold_min, updated_at
FROM dispatch_settings WHERE campaign_id = $1
