"""Quadriller's ingest service: volunteers' location pings in, Redis and PostGIS out.

Imports `server` (settings, database, area index); `server` never imports this package.
"""
