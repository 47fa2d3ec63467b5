-- Campaign $1's open alerts that the evaluator raised (every kind but SOS).
SELECT id, volunteer_id, kind FROM alerts WHERE campaign_id = $1 AND cleared_at IS NULL AND kind <> 'sos'
