"""Budgets per key (an IP address, a login), for what an attacker can repeat cheaply: failed
logins, connections that have not authenticated yet. Pure and in memory, per process: a flood
guard, not a quota (N processes allow N times the budget).
"""

from __future__ import annotations

import time


class KeyedBudget:
    """`burst` events per key, refilled at `per_s`. Keys that refilled are forgotten; the table
    is bounded (`max_keys`; when full it restarts empty, which only forgives)."""

    def __init__(self, per_s: float, burst: float, max_keys: int = 100_000) -> None:
        self.per_s, self.burst, self.max_keys = per_s, burst, max_keys
        self._spent: dict[str, tuple[float, float]] = {}  # key -> (tokens left, at)

    def _tokens(self, key: str, now: float) -> float:
        left, at = self._spent.get(key, (self.burst, now))
        return min(self.burst, left + (now - at) * self.per_s)

    def wait_ms(self, key: str) -> int:
        """0 if one more event is allowed now, else the milliseconds until it is."""
        tokens = self._tokens(key, time.monotonic())
        return 0 if tokens >= 1 else max(1, int(1000 * (1 - tokens) / self.per_s))

    def spend(self, key: str) -> None:
        now = time.monotonic()
        tokens = self._tokens(key, now) - 1
        if len(self._spent) >= self.max_keys:
            self._spent.clear()
        self._spent[key] = (max(tokens, 0.0), now)


class PerKeyCap:
    """At most `cap` things at once per key (unauthenticated connections per IP)."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._held: dict[str, int] = {}

    def acquire(self, key: str) -> bool:
        n = self._held.get(key, 0)
        if n >= self.cap:
            return False
        self._held[key] = n + 1
        return True

    def release(self, key: str) -> None:
        n = self._held.get(key, 0) - 1
        if n > 0:
            self._held[key] = n
        else:
            self._held.pop(key, None)
