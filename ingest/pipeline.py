"""Per-batch ping pipeline: rate limit → dedupe → H3 cell → areas → zone → Redis → batch writer.

Everything here runs on in-memory state: the area index (refreshed in the background), each
volunteer's team, assignment, last fix and zone (loaded once, refreshed in the background every
few seconds). The only awaits per batch are one pipelined Redis round trip and none to
PostgreSQL: rows go to the BatchWriter, which acks after commit.
"""
from __future__ import annotations

import asyncio
import logging
import time

import asyncpg
import orjson
import redis.asyncio as aioredis
from h3.api import basic_int as h3i

from ingest.protocol import Ping
from ingest.writer import BatchWriter, Sink
from server.areas.index_cache import AreaIndexCache
from server.pings import queries
from server.redis import live_channel, volunteer_state_key

log = logging.getLogger("ingest.pipeline")

CELL_RES = 11
_cell = h3i.latlng_to_cell
_EMPTY_AREAS = (None, None, None, None, None, None)


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


class AreaLookup:
    """Point -> (ps id, nb id, ds id, ps code, nb code, ds code) from AreaIndexCache, plus the
    id -> code map the live delta needs. The hot path never awaits: a stale entry triggers one
    background refresh (AreaIndexCache.get rechecks the areas' version)."""

    def __init__(self, cache: AreaIndexCache, pool: asyncpg.Pool, recheck_s: float = 5.0) -> None:
        self._cache, self._pool, self._recheck_s = cache, pool, recheck_s
        self._entries: dict[int, tuple[object, dict[int, str]]] = {}
        self._checked: dict[int, float] = {}
        self._tasks: dict[int, asyncio.Task] = {}

    async def warm(self, campaign_id: int) -> None:
        if campaign_id not in self._entries:
            await self._refresh(campaign_id)

    async def _refresh(self, campaign_id: int) -> None:
        self._checked[campaign_id] = time.monotonic()
        try:
            index = await self._cache.get(campaign_id)
            entry = self._entries.get(campaign_id)
            if entry is None or entry[0] is not index:
                async with self._pool.acquire(timeout=5) as conn:
                    codes = await queries.area_codes(conn, campaign_id)
                self._entries[campaign_id] = (index, codes)
        except Exception as exc:  # noqa: BLE001 - database down: keep what we have
            log.warning("area index of campaign %s not refreshed: %s: %s", campaign_id, type(exc).__name__, exc)
            self._entries.setdefault(campaign_id, (None, {}))

    def locate(self, campaign_id: int, lon: float, lat: float) -> tuple:
        if time.monotonic() - self._checked.get(campaign_id, 0.0) > self._recheck_s:
            task = self._tasks.get(campaign_id)
            if task is None or task.done():
                self._checked[campaign_id] = time.monotonic()
                self._tasks[campaign_id] = asyncio.get_running_loop().create_task(self._refresh(campaign_id))
        index, codes = self._entries.get(campaign_id) or (None, None)
        if index is None:
            return _EMPTY_AREAS
        found = index.locate(lon, lat)
        ps, nb, ds = found.get("polling_station"), found.get("neighbourhood"), found.get("district")
        return ps, nb, ds, codes.get(ps), codes.get(nb), codes.get(ds)


class Volunteer:
    """What the pipeline remembers of one volunteer in one campaign."""

    __slots__ = ("campaign_id", "user_id", "team_id", "area_id", "last_t", "zone", "loaded_at",
                 "bucket", "refreshing")

    def __init__(self, campaign_id: int, user_id: int, bucket: TokenBucket) -> None:
        self.campaign_id, self.user_id, self.bucket = campaign_id, user_id, bucket
        self.team_id = self.area_id = None
        self.last_t = float("-inf")
        self.zone: str | None = None
        self.loaded_at = 0.0
        self.refreshing = False


class LivePublisher:
    """Pipelined Redis writes with a short circuit breaker: when Redis is down, live updates are
    skipped (and logged) for a second at a time instead of slowing every batch with timeouts."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._down_until = 0.0
        self._last_log = 0.0
        self.ok = True

    async def publish(self, campaign_id: int, deltas: list[bytes], state: tuple[int, bytes] | None) -> None:
        now = time.monotonic()
        if now < self._down_until or not deltas:
            return
        try:
            pipe = self._redis.pipeline(transaction=False)
            channel = live_channel(campaign_id)
            for d in deltas:
                pipe.publish(channel, d)
            if state is not None:
                pipe.hset(volunteer_state_key(campaign_id), str(state[0]), state[1])
            await pipe.execute()
            if not self.ok:
                log.info("Redis live updates resumed")
            self.ok = True
        except Exception as exc:  # noqa: BLE001 - Redis must never stop storage and acks
            self.ok = False
            self._down_until = time.monotonic() + 1.0
            if now - self._last_log > 5:
                self._last_log = now
                log.warning("Redis live update failed (%s: %s); pings are still stored", type(exc).__name__, exc)

    async def volunteer_state(self, campaign_id: int, user_id: int) -> dict | None:
        if time.monotonic() < self._down_until:
            return None
        try:
            raw = await self._redis.hget(volunteer_state_key(campaign_id), str(user_id))
            return orjson.loads(raw) if raw else None
        except Exception as exc:  # noqa: BLE001
            log.warning("Redis state read failed: %s: %s", type(exc).__name__, exc)
            return None


class Pipeline:
    def __init__(self, pool: asyncpg.Pool, redis: aioredis.Redis, areas: AreaLookup, writer: BatchWriter,
                 rate: float, burst: float, refresh_s: float = 10.0) -> None:
        self._pool = pool
        self.areas = areas
        self.live = LivePublisher(redis)
        self.writer = writer
        self._rate, self._burst, self._refresh_s = rate, burst, refresh_s
        self._volunteers: dict[tuple[int, int], Volunteer] = {}

    # --- volunteer state -----------------------------------------------------------------
    async def volunteer(self, campaign_id: int, user_id: int) -> Volunteer:
        """The volunteer's state; the first call loads it (DB + Redis), later ones are free."""
        key = (campaign_id, user_id)
        vol = self._volunteers.get(key)
        if vol is None:
            vol = Volunteer(campaign_id, user_id, TokenBucket(self._rate, self._burst))
            # Resume zone and last fix after a restart, so the first ping gives no false event.
            state = await self.live.volunteer_state(campaign_id, user_id)
            if state:
                vol.zone, vol.last_t = state.get("zone"), float(state.get("t") or float("-inf"))
            await self._load_assignment(vol)
            self._volunteers[key] = vol
            await self.areas.warm(campaign_id)
        return vol

    async def _load_assignment(self, vol: Volunteer) -> None:
        try:
            async with self._pool.acquire(timeout=5) as conn:
                team, area = await queries.volunteer_assignment(conn, vol.campaign_id, vol.user_id)
        except Exception as exc:  # noqa: BLE001 - keep the last known assignment
            log.warning("assignment of volunteer %s not refreshed: %s: %s", vol.user_id, type(exc).__name__, exc)
            return
        finally:
            vol.loaded_at = time.monotonic()
            vol.refreshing = False
        if area != vol.area_id:
            vol.zone = None  # in/out of the old turf says nothing about the new one
        vol.team_id, vol.area_id = team, area

    # --- the per-batch path --------------------------------------------------------------
    def admit(self, vol: Volunteer, pings: list[Ping]) -> tuple[list[Ping], list[int], int, bool]:
        """Rate limit and queue bound: (accepted, dropped seqs, retry_after_ms, queue_full)."""
        granted, retry_ms = vol.bucket.take(len(pings))
        full = bool(granted) and not self.writer.has_room(granted)
        if full:
            # PostgreSQL is behind or down and the queue is full: drop, the client resends.
            vol.bucket.tokens += granted
            granted, retry_ms = 0, 2000
        if granted == len(pings):
            return pings, [], 0, False
        return pings[:granted], [p.seq for p in pings[granted:]], retry_ms, full

    async def process(self, vol: Volunteer, source: str, pings: list[Ping], sink: Sink | None) -> None:
        """Publish live (before commit, so HQ sees it at once), then hand rows to the writer."""
        if not pings:
            return
        if time.monotonic() - vol.loaded_at > self._refresh_s and not vol.refreshing:
            vol.refreshing = True
            asyncio.get_running_loop().create_task(self._load_assignment(vol))
        rt = int(time.time() * 1000)
        cid, uid, team, assigned = vol.campaign_id, vol.user_id, vol.team_id, vol.area_id
        locate = self.areas.locate
        rows, seqs, deltas = [], [], []
        newest = None
        seen: set[int] = set()
        # Oldest first, so that zone transitions follow the device's own timeline.
        for p in sorted(pings, key=_by_t) if len(pings) > 1 else pings:
            if p.seq in seen:  # the same seq twice in one frame: store and ack it once
                continue
            seen.add(p.seq)
            cell = _cell(p.lat, p.lon, CELL_RES)
            ps, nb, ds, psc, nbc, dsc = locate(cid, p.lon, p.lat)
            rows.append((cid, uid, source, p.seq, p.t, rt, p.lon, p.lat, p.acc, p.alt, p.spd, p.hdg,
                         p.bat, cell, ps, nb, ds, p.low_acc))
            seqs.append(p.seq)
            if p.t <= vol.last_t:
                continue  # a resend or a late backlog ping: stored, but not news for the map
            zone = ev = None
            if assigned is not None:
                zone = "in" if assigned in (ps, nb, ds) else "out"
                if zone == "in" and vol.zone != "in":
                    ev = "enter"
                elif zone == "out" and vol.zone == "in":
                    ev = "exit"
                vol.zone = zone
            vol.last_t = p.t
            delta = orjson.dumps({
                "type": "ping", "v": uid, "team": team, "seq": p.seq, "t": p.t, "rt": rt,
                "lon": p.lon, "lat": p.lat, "acc": p.acc, "hdg": p.hdg, "spd": p.spd, "bat": p.bat,
                "cell": format(cell, "x"), "ps": psc, "nb": nbc, "ds": dsc, "zone": zone, "ev": ev,
                "low_acc": p.low_acc,
            })
            # Publish every transition, and only the newest position otherwise: the map shows
            # the latest fix (the hub coalesces anyway) and the trail is read from PostGIS.
            if ev is not None:
                deltas.append(delta)
                newest = None
            else:
                newest = delta
        if newest is not None:
            deltas.append(newest)
        if deltas:
            await self.live.publish(cid, deltas, (uid, deltas[-1]))
        if rows:
            self.writer.submit(rows, seqs, sink)


def _by_t(p: Ping) -> float:
    return p.t
