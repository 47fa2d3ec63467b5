"""Device authentication: a token (and, for OwnTracks, a login) -> volunteer in a campaign.

The HTTP apps take only device tokens (server/auth/tokens.py); the websocket, whose token
travels in its first frame, takes the API token too (the phone page holds that one).

One database round trip per websocket connection. HTTP apps authenticate every request, so
successes are cached briefly (keyed by the token's hash, never the token); failures are not.
Failures are cached too (`failure_ttl_s`), and budgeted per IP address and per login
(`failures_per_min`, `failures_burst`): past the budget a login is refused (429) without a
query. The queries run on a pool of their own (ingest/app.py), never the one that commits
pings: a flood of bad credentials cannot starve the commit path.
A person removed from a campaign is forgotten at once (`forget`, called by ingest/relay.py on
the access channel); `ttl_s` bounds the rest (a device token replaced).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import asyncpg

from server.auth import queries as auth_queries
from server.auth.tokens import hash_token
from server.db import translated_errors
from server.errors import Forbidden, InvalidInput, QuadrillerError, ServiceUnavailable, Unauthenticated
from server.throttle import KeyedBudget

ROLES = ("volunteer", "coordinator", "admin")


@dataclass(frozen=True, slots=True)
class Device:
    user_id: int
    campaign_id: int
    campaign: str  # slug
    role: str


class TooManyFailures(QuadrillerError):
    status = 429
    title = "Too many failed logins"


class DeviceAuth:
    def __init__(
        self,
        pool: asyncpg.Pool,
        ttl_s: float = 30.0,
        device_max_age_days: float | None = None,
        failures_per_min: float = 10.0,
        failures_burst: float = 20.0,
        failure_ttl_s: float = 10.0,
    ) -> None:
        self._pool = pool
        self._ttl_s = ttl_s
        self._max_age_days = device_max_age_days  # a device token older than this is refused
        self._cache: dict[tuple, tuple[float, Device]] = {}
        self._failed: dict[tuple, tuple[float, QuadrillerError]] = {}
        self._failure_ttl_s = failure_ttl_s
        self._by_ip = KeyedBudget(failures_per_min / 60.0, failures_burst)
        self._by_login = KeyedBudget(failures_per_min / 60.0, failures_burst)

    async def authenticate(
        self,
        token: str,
        login: str | None = None,
        campaign: str | None = None,
        use_cache: bool = False,
        device_only: bool = False,
        ip: str | None = None,
    ) -> Device:
        """`device_only` (the HTTP apps): only a device token opens it, never the HQ API token,
        which must not travel in their URLs and settings. Raises Unauthenticated (bad token), Forbidden (not a member / role), InvalidInput
        (several campaigns and none named), ServiceUnavailable (database down), TooManyFailures
        (this IP or login failed too often)."""
        wait_ms = max(self._by_ip.wait_ms(ip) if ip else 0, self._by_login.wait_ms(login) if login else 0)
        if wait_ms:
            raise TooManyFailures(f"too many failed logins: retry in {wait_ms} ms", retry_after_ms=wait_ms)
        key = (login, hash_token(token), campaign, device_only)
        now = time.monotonic()
        if use_cache:
            hit = self._cache.get(key)
            if hit and now - hit[0] < self._ttl_s:
                return hit[1]
        failed = self._failed.get(key)
        if failed and now - failed[0] < self._failure_ttl_s:
            self._count_failure(ip, login)
            raise copy.copy(failed[1])
        try:
            return await self._look_up(key, token, login, campaign, device_only)
        except (Unauthenticated, Forbidden) as exc:
            if len(self._failed) > 50_000:
                self._failed.clear()
            self._failed[key] = (now, exc)
            self._count_failure(ip, login)
            raise

    def _count_failure(self, ip: str | None, login: str | None) -> None:
        if ip:
            self._by_ip.spend(ip)
        if login:
            self._by_login.spend(login)

    async def _look_up(
        self, key: tuple, token: str, login: str | None, campaign: str | None, device_only: bool
    ) -> Device:
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
