"""Benchmarks: each prints one JSON line on stdout."""
