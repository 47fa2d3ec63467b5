"""What the pipeline keeps per volunteer: their rate budget and their in-memory state."""

from __future__ import annotations

import time

from ingest.zones import Zone


class TokenBucket:
    """`rate` pings/s with bursts of `burst`: a phone flushing its offline backlog gets through
    at the steady rate after the burst, and a flood costs the server almost nothing."""

    __slots__ = ("rate", "burst", "tokens", "at")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst, self.tokens, self.at = rate, burst, burst, time.monotonic()

    def take(self, n: int) -> tuple[int, int]:
        """Take up to n tokens: (granted, ms until the refused ones would fit)."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        granted = min(n, int(self.tokens))
        self.tokens -= granted
        if granted == n:
            return n, 0
        missing = min(n - granted, self.burst) - self.tokens
        return granted, max(1, int(1000 * missing / self.rate))


class Volunteer:
    """What the pipeline remembers of one volunteer in one campaign."""

    __slots__ = (
        "campaign_id",
        "user_id",
        "team_id",
        "area_id",
        "last_t",
        "zone",
        "loaded_at",
        "bucket",
        "seen_at",
        "shift_id",
        "shift_since",
    )

    def __init__(self, campaign_id: int, user_id: int, bucket: TokenBucket) -> None:
        self.campaign_id, self.user_id, self.bucket = campaign_id, user_id, bucket
        self.team_id: int | None = None
        self.area_id: int | None = None
        self.last_t = float("-inf")
        self.zone: Zone | None = None
        self.loaded_at = 0.0
        self.seen_at = 0.0  # monotonic time this process last processed one of their pings
        self.shift_id: int | None = None  # their open shift (ingest/duty.py)
        self.shift_since: float | None = None  # its start, epoch seconds
