-- An address import replaces the campaign's addresses.
DELETE FROM addresses WHERE campaign_id = $1
