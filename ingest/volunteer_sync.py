"""Volunteers' state, loaded and re-read in batches: one Redis and one PostgreSQL round trip for
every request that needs one at the same moment, not one each.

Why batches: the HTTP apps (OwnTracks, Traccar Client) send one fix per request, seconds apart,
so nearly every request finds its volunteer idle past the pipeline's `resync_idle_s` and must
re-read their zone and last fix (Redis: another ingest process may have served the previous
fix) and their open shift (PostgreSQL: started from the phone page or by HQ meanwhile). Done per
request, that was an HGET and a query each, with a Redis connection held per request: at 200
concurrent requests the client's pool ran out and the reloads were skipped (issue 13).

Here a request adds its volunteer to the next batch and waits for it. One batch is in flight at
a time; whatever arrives meanwhile goes in the following one, so the round trips per second stay
flat while the requests per second grow (group loading, as the batch writer groups commits).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import asyncpg

from ingest.duty import Duty
from ingest.live import LivePublisher
from server.pings import queries

log = logging.getLogger("ingest.volunteer_sync")


class VolunteerSync:
    def __init__(
        self,
        pool: asyncpg.Pool,
        live: LivePublisher,
        duty: Duty,
        set_assignment: Callable[[Any, int | None, int | None], None],
    ) -> None:
        self._pool, self._live, self._duty, self._set_assignment = pool, live, duty, set_assignment
        self._pending: dict[Any, bool] = {}  # volunteer -> whether it is new (its assignment too)
        self._next: asyncio.Future | None = None  # resolved once the pending batch is synced
        self._flusher: asyncio.Task | None = None
        self.batches = 0  # how many batches were synced (tests, diagnostics)

    async def sync(self, vol, new: bool) -> None:
        """Re-read `vol`'s zone, last fix and open shift (and, when `new`, its assignment) in
        the next batch; return once it is done. On a Redis or database error the last known
        values stay (logged by the batch)."""
        self._pending[vol] = new or self._pending.get(vol, False)
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
        waiter = self._next
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        await asyncio.shield(waiter)  # a cancelled request leaves the batch to the others

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, {}
                waiter, self._next = self._next, None
                try:
                    await self._sync(batch)
                except Exception:  # noqa: BLE001 - the waiters go on with what was known
                    log.exception("volunteer state batch failed")
                finally:
                    self.batches += 1
                    if waiter is not None and not waiter.done():
                        waiter.set_result(None)
        finally:
            self._flusher = None

    async def _sync(self, batch: dict[Any, bool]) -> None:
        by_campaign: dict[int, list] = {}
        for vol in batch:
            by_campaign.setdefault(vol.campaign_id, []).append(vol)
        states = await self._live.volunteer_states(
            {cid: [v.user_id for v in vols] for cid, vols in by_campaign.items()}
        )
        for vol in batch:
            # Resume zone and last fix (after a restart, or from another process), so that the
            # first ping gives no false event and an older fix never replaces a newer one.
            state = states.get((vol.campaign_id, vol.user_id))
            if state:
                t = float(state.get("t") or float("-inf"))
                if t >= vol.last_t:
                    vol.zone, vol.last_t = state.get("zone"), t
        try:
            async with self._pool.acquire(timeout=5) as conn:
                for cid, vols in by_campaign.items():
                    first = [v for v in vols if batch[v]]
                    if first:
                        found = await queries.volunteer_assignments(conn, cid, [v.user_id for v in first])
                        for vol in first:
                            self._set_assignment(vol, *found.get(vol.user_id, (None, None)))
                    await self._duty.refresh(conn, cid, vols)
        except Exception as exc:  # noqa: BLE001 - database down: keep the last known shifts
            log.warning("state of %d volunteers not reloaded: %s: %s", len(batch), type(exc).__name__, exc)
        finally:
            now = time.monotonic()
            for vol, new in batch.items():
                if new:
                    vol.loaded_at = now
