"""Pings: the stored GPS history. Shared by the ingest service (writes) and the HQ API (reads)."""
