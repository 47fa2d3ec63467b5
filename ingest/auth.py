"""Device authentication: a token (and, for OwnTracks, a login) -> volunteer in a campaign.

The HTTP apps take only device tokens (server/auth/tokens.py); the websocket, whose token
travels in its first frame, takes the API token too (the phone page holds that one).

One database round trip per websocket connection. HTTP apps authenticate every request, so
successes are cached briefly (keyed by the token's hash, never the token); failures are not.
A person removed from a campaign is forgotten at once (`forget`, called by ingest/relay.py on
the access channel); `ttl_s` bounds the rest (a device token replaced).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import asyncpg

from server.auth import queries as auth_queries
from server.auth.tokens import hash_token
from server.db import translated_errors
from server.errors import Forbidden, InvalidInput, ServiceUnavailable, Unauthenticated

ROLES = ("volunteer", "coordinator", "admin")


@dataclass(frozen=True, slots=True)
class Device:
    user_id: int
    campaign_id: int
    campaign: str  # slug
    role: str


class DeviceAuth:
    def __init__(self, pool: asyncpg.Pool, ttl_s: float = 30.0, device_max_age_days: float | None = None) -> None:
        self._pool = pool
        self._ttl_s = ttl_s
        self._max_age_days = device_max_age_days  # a device token older than this is refused
        self._cache: dict[tuple, tuple[float, Device]] = {}

    async def authenticate(self, token: str, login: str | None = None, campaign: str | None = None,
                           use_cache: bool = False, device_only: bool = False) -> Device:
        """`device_only` (the HTTP apps): only a device token opens it, never the HQ API token,
        which must not travel in their URLs and settings. Raises Unauthenticated (bad token), Forbidden (not a member / role), InvalidInput
        (several campaigns and none named), ServiceUnavailable (database down)."""
        key = (login, hash_token(token), campaign, device_only)
        if use_cache:
            hit = self._cache.get(key)
            if hit and time.monotonic() - hit[0] < self._ttl_s:
                return hit[1]
        try:
            async with translated_errors(), self._pool.acquire(timeout=5) as conn:
                if device_only:
                    user = await auth_queries.user_by_device_token(conn, token, login, self._max_age_days)
                else:
                    user = await auth_queries.user_by_any_token(conn, token, self._max_age_days)
                if user is None:
                    raise Unauthenticated("unknown, revoked or expired device token")
                rows = await auth_queries.memberships(conn, user.id)
        except TimeoutError as exc:
            raise ServiceUnavailable("database unavailable: timed out") from exc
        rows = [r for r in rows if r["role"] in ROLES]
        if campaign is not None:
            rows = [r for r in rows if r["slug"] == campaign]
            if not rows:
                raise Forbidden(f"not a member of campaign {campaign!r}")
        elif len(rows) > 1:
            slugs = ", ".join(r["slug"] for r in rows)
            raise InvalidInput(f"member of several campaigns ({slugs}): name one with 'campaign'")
        elif not rows:
            raise Forbidden("not a member of any campaign")
        row = rows[0]
        device = Device(user.id, row["campaign_id"], row["slug"], row["role"])
        if len(self._cache) > 50_000:  # bounded: a full reset is fine, entries are cheap to redo
            self._cache.clear()
        self._cache[key] = (time.monotonic(), device)
        return device

    def forget(self, campaign_id: int, user_id: int) -> None:
        """Drop the cached logins of that person in that campaign (removed from it). Rare:
        a scan of the cache is fine."""
        stale = [k for k, (_, d) in self._cache.items() if d.user_id == user_id and d.campaign_id == campaign_id]
        for k in stale:
            del self._cache[k]
