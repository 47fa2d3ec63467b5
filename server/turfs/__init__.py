"""Turfs: a polling station split into walks of about N doors, each with its route, for a team."""
