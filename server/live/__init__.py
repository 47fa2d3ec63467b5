"""Live feed for HQ: one Redis subscription per process, coalesced frames to each viewer."""
