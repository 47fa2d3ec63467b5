-- Set campaign $1's dispatch rules.
INSERT INTO dispatch_settings (campaign_id, walk_scale_m, max_walk_m, home_bonus, covered_at, refresh_s,
                               reject_hold_min)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (campaign_id) DO UPDATE SET
    walk_scale_m = EXCLUDED.walk_scale_m, max_walk_m = EXCLUDED.max_walk_m, home_bonus = EXCLUDED.home_bonus,
    covered_at = EXCLUDED.covered_at, refresh_s = EXCLUDED.refresh_s, reject_hold_min = EXCLUDED.reject_hold_min,
    updated_at = now()
RETURNING walk_scale_m, max_walk_m, home_bonus, covered_at, refresh_s, reject_hold_min, updated_at
