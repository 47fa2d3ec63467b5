"""Who is on shift, for one ingest process: tracking only during a shift.

A volunteer's open shift (id and start) is loaded with the volunteer, refreshed in the
background with their assignment, changed at once by the websocket's shift frames, and by a
shift ended anywhere else (HQ, the HTTP API, a timeout, consent withdrawn), heard on the duty
channel by ingest/relay.py before the next frame is read. The refresh (`refresh_s`) remains the
fallback when that message was missed (Redis down).

A ping is taken only while a shift is open, and only if the device says it was taken after the
shift started (give or take CLOCK_SLACK_S of clock difference): an app that queued fixes all
night must not upload the night when the volunteer starts their morning shift.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import redis.asyncio as aioredis

from ingest.protocol import OFF_SHIFT, Ping, PingError
from server.events import DEFAULT_PREFIX
from server.shifts import service as shift_service
from server.shifts import queries as shift_queries
from server.shifts.queries import CLOCK_SLACK_S
from server.shifts.schemas import Shift

log = logging.getLogger("ingest.duty")


class Duty:
    def __init__(
        self, pool: asyncpg.Pool, redis: aioredis.Redis, max_hours: float, prefix: str = DEFAULT_PREFIX
    ) -> None:
        self._pool, self._redis, self.max_hours, self._prefix = pool, redis, max_hours, prefix

    async def load(self, vol) -> None:
        """Read the volunteer's open shift; on a database error keep what we knew."""
        try:
            async with self._pool.acquire(timeout=5) as conn:
                shift = await shift_queries.open_of_user(conn, vol.campaign_id, vol.user_id, self.max_hours)
        except Exception as exc:  # noqa: BLE001 - database down: keep the last known shift
            log.warning("shift of volunteer %s not loaded: %s: %s", vol.user_id, type(exc).__name__, exc)
            return
        _set(vol, shift)

    async def refresh(self, conn: asyncpg.Connection, campaign_id: int, vols: list) -> None:
        found = await shift_queries.open_of_users(conn, campaign_id, [v.user_id for v in vols], self.max_hours)
        for vol in vols:
            vol.shift_id, vol.shift_since = found.get(vol.user_id, (None, None))

    async def start(self, vol) -> tuple[Shift, bool, bool]:
        """(shift, opened now, HQ told). Raises on a database error (the client retries)."""
        async with self._pool.acquire(timeout=5) as conn:
            shift, created, notified = await shift_service.start(
                conn, self._redis, vol.campaign_id, vol.user_id, self.max_hours, vol.team_id, self._prefix
            )
        _set(vol, shift)
        return shift, created, notified

    async def end(self, vol) -> tuple[Shift | None, bool]:
        """(the ended shift or None when none was open, HQ told). Raises on a database error,
        the shift unchanged. Off shift here before the end is published: the duty order it sends
        (ingest/relay.py) then finds nothing to end, and this connection gets one answer."""
        before = vol.shift_id, vol.shift_since, vol.zone
        self.ended(vol)
        try:
            async with self._pool.acquire(timeout=5) as conn:
                return await shift_service.end_open(
                    conn, self._redis, vol.campaign_id, vol.user_id, "volunteer", self.max_hours, self._prefix
                )
        except BaseException:
            vol.shift_id, vol.shift_since, vol.zone = before
            raise

    @staticmethod
    def ended(vol) -> None:
        """The volunteer's shift is over (here, or told by ingest/relay.py): no more pings."""
        _set(vol, None)
        vol.zone = None  # the next shift starts with no zone: no false exit event

    async def time_out_forever(self, every_s: float) -> None:
        """Every `every_s`: end the shifts past their maximum length, in every campaign (several
        ingest processes may run it: each shift is ended, and told, by one of them)."""
        while True:
            try:
                async with self._pool.acquire(timeout=5) as conn:
                    n = await shift_service.time_out(conn, self._redis, self.max_hours, self._prefix)
                if n:
                    log.info("%d shifts ended by timeout", n)
            except Exception as exc:  # noqa: BLE001 - database down: next time
                log.warning("shift timeouts not swept: %s: %s", type(exc).__name__, exc)
            await asyncio.sleep(every_s)

    @staticmethod
    def split(vol, pings: list[Ping]) -> tuple[list[Ping], list[PingError]]:
        """(pings taken on shift, errors for the others)."""
        since = vol.shift_since
        if since is None:
            return [], [PingError(p.seq, OFF_SHIFT, "not on shift: start a shift first") for p in pings]
        floor = since - CLOCK_SLACK_S
        if all(p.t >= floor for p in pings):
            return pings, []
        ok = [p for p in pings if p.t >= floor]
        return ok, [PingError(p.seq, OFF_SHIFT, "taken before the shift started") for p in pings if p.t < floor]


def _set(vol, shift: Shift | None) -> None:
    if shift is None:
        vol.shift_id = vol.shift_since = None
    else:
        vol.shift_id, vol.shift_since = shift.id, shift.started_at.timestamp()
