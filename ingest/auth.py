"""Device authentication: a token (and, for OwnTracks, a login) -> volunteer in a campaign.

The HTTP apps take only device tokens (server/auth/tokens.py); the websocket, whose token
travels in its first frame, takes the API token too (the phone page holds that one).

One database round trip per websocket connection. HTTP apps authenticate every request, so
successes are cached (keyed by the token's hash, never the token) and re-checked in the
background (`refresh_forever`: one query for every cached login each `ttl_s`), so that a
request waits on the database for its login only the first time: a token replaced, expired or
of an erased user stops opening the cache at the next re-check, a role change is picked up by it.
Failures are cached too (`failure_ttl_s`), and budgeted per IP address and per login
(`failures_per_min`, `failures_burst`): past the budget a login is refused (429) without a
query. The queries run on a pool of their own (ingest/app.py), never the one that commits
pings: a flood of bad credentials cannot starve the commit path.
A person removed from a campaign is forgotten at once (`forget`, called by ingest/relay.py on
the access channel), and a lookup or re-check that read the database before the removal does
not bring them back.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from server.auth import queries as auth_queries
from server.auth.tokens import hash_token
from server.db import translated_errors
from server.errors import Forbidden, InvalidInput, QuadrillerError, ServiceUnavailable, Unauthenticated
from server.sql import sql
from server.throttle import KeyedBudget

log = logging.getLogger("ingest.auth")
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


class CachedLogin:
    __slots__ = ("device", "used_at")

    def __init__(self, device: Device, used_at: float) -> None:
        self.device, self.used_at = device, used_at


def choose_membership(user_id: int, rows: Sequence, campaign: str | None) -> Device:
    """The campaign a login opens among the user's memberships (rows with campaign_id, slug,
    role), or the refusal: Forbidden (not a member), InvalidInput (several and none named)."""
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
    return Device(user_id, row["campaign_id"], row["slug"], row["role"])


def still_valid(key: tuple, rows: Sequence) -> Device | None:
    """What a cached login opens now, from its user's rows (device_logins_of_users.sql), or None
    when it no longer opens anything (token replaced or expired, user erased, membership gone)."""
    if not rows:
        return None
    login, token_hash, campaign, device_only = key
    user = rows[0]
    if login is not None and user["login"] != login:
        return None
    if token_hash != user["device_token_hash"] and (device_only or token_hash != user["token_hash"]):
        return None
    try:
        return choose_membership(user["user_id"], [r for r in rows if r["campaign_id"] is not None], campaign)
    except QuadrillerError:
        return None


class DeviceAuth:
    def __init__(
        self,
        pool: asyncpg.Pool,
        ttl_s: float = 5.0,
        device_max_age_days: float | None = None,
        failures_per_min: float = 10.0,
        failures_burst: float = 20.0,
        failure_ttl_s: float = 10.0,
        idle_s: float = 900.0,
    ) -> None:
        self._pool = pool
        self._ttl_s = ttl_s  # how often cached logins are re-checked, in the background
        self._idle_s = idle_s  # a login unused this long leaves the cache at the next re-check
        self._max_age_days = device_max_age_days  # a device token older than this is refused
        self._cache: dict[tuple, CachedLogin] = {}
        self._forgets = 0  # bumped by forget(): a lookup that overlapped one does not cache
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
            if hit is not None:
                hit.used_at = now
                return hit.device
        failed = self._failed.get(key)
        if failed and now - failed[0] < self._failure_ttl_s:
            self._count_failure(ip, login)
            raise copy.copy(failed[1])
        try:
            return await self._look_up(key, token, login, campaign, device_only, use_cache)
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
        self, key: tuple, token: str, login: str | None, campaign: str | None, device_only: bool, keep: bool
    ) -> Device:
        forgets = self._forgets
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
        device = choose_membership(user.id, rows, campaign)
        # Only for callers that read the cache (the HTTP apps: a websocket logs in once), and
        # not when a removal may have come after our read.
        if keep and forgets == self._forgets:
            if len(self._cache) > 50_000:  # bounded: a full reset is fine, entries are cheap to redo
                self._cache.clear()
            self._cache[key] = CachedLogin(device, time.monotonic())
        return device

    async def refresh(self) -> None:
        """Re-check every cached login in one query: drop those that no longer open anything
        or were not used for `idle_s`, update the others (a role changed). Entries forgotten or
        replaced while the query ran are left as they are now: the query may predate a removal."""
        if not self._cache:
            return
        snapshot = list(self._cache.items())
        now = time.monotonic()
        user_ids = sorted({entry.device.user_id for _, entry in snapshot})
        try:
            async with translated_errors(), self._pool.acquire(timeout=5) as conn:
                rows = await conn.fetch(sql("auth/device_logins_of_users"), user_ids, self._max_age_days)
        except TimeoutError as exc:
            raise ServiceUnavailable("database unavailable: timed out") from exc
        by_user: dict[int, list] = {}
        for row in rows:
            by_user.setdefault(row["user_id"], []).append(row)
        for key, entry in snapshot:
            if self._cache.get(key) is not entry:
                continue
            device = still_valid(key, by_user.get(entry.device.user_id, ()))
            if device is None or now - entry.used_at > self._idle_s:
                del self._cache[key]
            elif device != entry.device:
                entry.device = device

    async def refresh_forever(self) -> None:
        """`refresh` every `ttl_s`. With the database down the cached logins are kept as they
        are (pings cannot be committed then anyway) and re-checked once it answers;
        removals still reach `forget` through Redis meanwhile."""
        while True:
            await asyncio.sleep(self._ttl_s)
            try:
                await self.refresh()
            except ServiceUnavailable as exc:
                log.warning("login cache not re-checked: %s", exc.detail)
            except Exception:
                # Never let the loop die: a cache no longer re-checked would honour replaced
                # tokens until the process restarts.
                log.exception("login cache not re-checked")

    def forget(self, campaign_id: int, user_id: int) -> None:
        """Drop the cached logins of that person in that campaign (removed from it). Rare:
        a scan of the cache is fine."""
        self._forgets += 1
        stale = [
            k for k, e in self._cache.items() if e.device.user_id == user_id and e.device.campaign_id == campaign_id
        ]
        for k in stale:
            del self._cache[k]
