-- Add or relabel the tags of a vocabulary (parallel arrays).
INSERT INTO campaign_tags (campaign_id, tag, label_fr, label_en)
SELECT $1, t, f, e FROM unnest($2::text[], $3::text[], $4::text[]) AS v(t, f, e)
ON CONFLICT (campaign_id, tag) DO UPDATE SET label_fr = EXCLUDED.label_fr, label_en = EXCLUDED.label_en
