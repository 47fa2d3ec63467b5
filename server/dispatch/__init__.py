"""Dispatch: teams, live suggestions of which team to send where (and why), and assignments
that reach the team's phones at once."""
