-- A campaign's vocabulary, in key order.
SELECT tag, label_fr, label_en FROM campaign_tags WHERE campaign_id = $1 ORDER BY tag
