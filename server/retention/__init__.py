"""One retention job for every table that holds personal data, and Redis live state."""
