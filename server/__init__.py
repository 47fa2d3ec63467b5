"""Quadriller HQ server and shared core."""
