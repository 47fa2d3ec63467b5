"""The batch writer: pings from every connection, many per PostGIS round trip, then acks.

An ack means "committed": a sink (a connection's ack callback) is called only after the INSERT
that holds its ping returned. While PostgreSQL is unreachable the batch stays in memory and is
retried with backoff; nothing is acked meanwhile. The queue is bounded: when it is full,
new pings are still published live but dropped unacknowledged (a throttle frame, or HTTP 503),
and clients resend them later. Pings of a closed connection are still written: they are valid.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable

import asyncpg

from server.pings import queries

log = logging.getLogger("ingest.writer")

# sink(seqs, ok): ok=True once committed; ok=False if the database refused the rows for good.
Sink = Callable[[list[int], bool], None]

# Errors in the data itself: retrying the same rows cannot help. Anything else (connection
# lost, server restarting, too many connections, timeouts) is transient: retry with backoff.
_DATA_ERRORS = (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError)


class BatchWriter:
    def __init__(self, pool: asyncpg.Pool, batch_max: int, batch_wait_s: float, queue_max: int,
                 retention_days: int) -> None:
        self._pool = pool
        self._batch_max = batch_max
        self._batch_wait_s = batch_wait_s
        self._queue_max = queue_max
        self._retention_days = retention_days
        self._items: list[tuple[tuple, Sink | None, int]] = []
        self._held = 0  # queued + in flight: what the bound applies to
        self._wake = asyncio.Event()
        self._full = asyncio.Event()
        self.db_ok = True
        self.written = 0
        self._last_error_log = 0.0

    # --- producers -----------------------------------------------------------------------
    @property
    def held(self) -> int:
        return self._held

    def has_room(self, n: int) -> bool:
        """Whether n more rows fit the bound (a batch larger than the bound fits when empty).
        When not, the caller drops the pings unacknowledged and says so (throttle / 503)."""
        return self._held + n <= self._queue_max or self._held == 0

    def submit(self, rows: list[tuple], seqs: list[int], sink: Sink | None) -> None:
        """Queue rows (INSERT_COLUMNS order); sink(seqs_of_committed_rows, True) after commit."""
        self._items.extend(zip(rows, [sink] * len(rows), seqs))
        self._held += len(rows)
        self._wake.set()
        if len(self._items) >= self._batch_max:
            self._full.set()

    # --- the loop ------------------------------------------------------------------------
    async def run(self) -> None:
        while True:
            if not self._items:
                self._wake.clear()
                await self._wake.wait()
                continue
            if len(self._items) < self._batch_max:
                # Gather more: one round trip for many pings is the whole point.
                self._full.clear()
                try:
                    await asyncio.wait_for(self._full.wait(), self._batch_wait_s)
                except TimeoutError:
                    pass
            batch = self._items[: self._batch_max]
            del self._items[: self._batch_max]
            await self._write_until_done(batch)

    async def flush(self, timeout: float) -> bool:
        """At shutdown: write what is queued, for at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while self._items and time.monotonic() < deadline:
            batch = self._items[: self._batch_max]
            del self._items[: self._batch_max]
            try:
                await asyncio.wait_for(self._write_until_done(batch), deadline - time.monotonic())
            except TimeoutError:
                break
        return not self._items

    async def _write_until_done(self, batch: list) -> None:
        delay = 0.1
        while True:
            try:
                bad = await self._write(batch)
                break
            except Exception as exc:  # noqa: BLE001 - every non-data failure is retried
                self.db_ok = False
                now = time.monotonic()
                if now - self._last_error_log > 5:
                    self._last_error_log = now
                    log.warning("PostgreSQL write failed (%s: %s); %d pings held, retrying",
                                type(exc).__name__, exc, self._held)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
        if not self.db_ok:
            log.info("PostgreSQL writes resumed; %d pings held", self._held)
        self.db_ok = True
        self.written += len(batch) - len(bad)
        self._held -= len(batch)
        self._resolve(batch, bad)

    async def _write(self, batch: list, partitions_fixed: bool = False) -> set[int]:
        """Insert; returns the positions of rows refused for good (data errors), isolated by
        bisection so that one bad row never blocks the others."""
        try:
            await self._insert([item[0] for item in batch])
            return set()
        except _DATA_ERRORS as exc:
            if "no partition" in str(exc) and not partitions_fixed:
                # Midnight passed before maintenance ran, or a ping at the window's edge.
                await self._ensure_partitions_for(batch)
                return await self._write(batch, True)
            if len(batch) == 1:
                log.error("ping refused by PostgreSQL: %s: %s", type(exc).__name__, exc)
                return {0}
        mid = len(batch) // 2
        left = await self._write(batch[:mid], True)
        right = await self._write(batch[mid:], True)
        return left | {mid + i for i in right}

    async def _insert(self, rows: list[tuple]) -> None:
        columns = [list(c) for c in zip(*rows)]
        async with self._pool.acquire(timeout=5) as conn:
            await queries.insert_many(conn, columns, timeout=15)

    async def _ensure_partitions_for(self, batch: list) -> None:
        days = [dt.datetime.fromtimestamp(item[0][4], dt.UTC).date() for item in batch]
        async with self._pool.acquire(timeout=5) as conn:
            await queries.ensure_partitions(conn, min(days), max(days))

    @staticmethod
    def _resolve(batch: list, bad: set[int]) -> None:
        groups: dict[Sink, tuple[list[int], list[int]]] = {}
        for i, (_, sink, seq) in enumerate(batch):
            if sink is not None:
                ok, ko = groups.setdefault(sink, ([], []))
                (ko if i in bad else ok).append(seq)
        for sink, (ok, ko) in groups.items():
            try:
                if ok:
                    sink(ok, True)
                if ko:
                    sink(ko, False)
            except Exception:  # a closed connection's sink must not stop the others
                log.exception("ack sink failed")


async def maintain_partitions(pool: asyncpg.Pool, retention_days: int, every_s: float = 3600.0) -> None:
    """Create day partitions from now - retention to now + 2 days, and retire older ones into
    ping_cell_days: at start, then every `every_s` (the retention step is idle most runs)."""
    while True:
        try:
            await run_maintenance(pool, retention_days)
            wait = every_s
        except Exception as exc:  # noqa: BLE001 - the database may be down: try again soon
            log.warning("partition maintenance failed (%s: %s); retrying in 30 s", type(exc).__name__, exc)
            wait = 30.0
        await asyncio.sleep(wait)


async def run_maintenance(pool: asyncpg.Pool, retention_days: int, now: dt.datetime | None = None) -> dict:
    now = now or dt.datetime.now(dt.UTC)
    window_start = now - dt.timedelta(days=retention_days)
    async with pool.acquire(timeout=10) as conn:
        made = await queries.ensure_partitions(conn, window_start.date(), (now + dt.timedelta(days=2)).date())
        retired = await queries.retire(conn, window_start)
    if made or retired:
        log.info("partitions: %d created, %d retired", made, retired)
    return {"created": made, "retired": retired}
