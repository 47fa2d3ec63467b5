"""Shifts: when a volunteer is on duty, and so may be tracked."""
