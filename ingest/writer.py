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
from collections import deque
from collections.abc import Callable

import asyncpg

from server.pings import queries
from server.shifts import queries as shift_queries

log = logging.getLogger("ingest.writer")

# sink(seqs, ok): ok=True once committed; ok=False if the database refused the rows for good.
Sink = Callable[[list[int], bool], None]

# Errors in the data itself: retrying the same rows cannot help. Anything else (connection
# lost, server restarting, too many connections, timeouts) is transient: retry with backoff.
_DATA_ERRORS = (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError)


class Batch:
    """Rows column-wise (INSERT_COLUMNS order) and who to ack: per queued chunk, its first row
    in the batch and its acks (sink, seqs, first row, end row), rows of a frame contiguous."""

    __slots__ = ("columns", "n", "acks", "ids")

    def __init__(self, columns: list[list], n: int, acks: list[tuple[int, list]], ids: list[int]) -> None:
        self.columns, self.n, self.acks, self.ids = columns, n, acks, ids


class BatchWriter:
    def __init__(
        self,
        pool: asyncpg.Pool,
        batch_max: int,
        batch_wait_s: float,
        queue_max: int,
        retention_days: int,
        concurrency: int = 1,
    ) -> None:
        self._pool = pool
        # Batches in flight at once, each on its own connection: PostgreSQL's index upkeep then
        # runs on several backends (cores) while this process builds the next batch.
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._inflight: set[asyncio.Task] = set()
        self._writing = 0  # batches being committed (the tasks' count, exact at any await)
        self._batch_max = batch_max
        self._batch_wait_s = batch_wait_s
        self._queue_max = queue_max
        self._retention_days = retention_days
        # Chunks as the pipeline built them: (columns, rows, acks, id). No per-row objects.
        self._chunks: deque[tuple[list[list], int, list, int]] = deque()
        # Chunk ids not yet written, and who waits for all ids up to some id (committed()).
        self._last_id = 0
        self._unwritten: set[int] = set()
        self._barriers: list[tuple[int, asyncio.Future]] = []
        self._queued = 0  # rows in _chunks
        self._held = 0  # admitted and not yet written: what the bound applies to
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

    def hold(self, n: int) -> None:
        """Count n admitted pings (negative: release) that will reach submit_columns later."""
        self._held += n

    def submit_columns(self, columns: list[list], n: int, acks: list[tuple[Sink, list[int], int, int]]) -> None:
        """Queue n rows given column-wise (INSERT_COLUMNS order). acks: (sink, seqs, first row,
        end row) per frame; sink(seqs_of_committed_rows, True) is called after the commit."""
        if not n:
            return
        self._last_id += 1
        self._unwritten.add(self._last_id)
        self._chunks.append((columns, n, acks, self._last_id))
        self._queued += n
        self._held += n
        self._wake.set()
        if self._queued >= self._batch_max:
            self._full.set()

    def _take(self) -> Batch:
        """About batch_max rows (whole chunks), concatenated column by column."""
        chunks = self._chunks
        columns, n, acks, chunk_id = chunks.popleft()
        batch = Batch(columns, n, [(0, acks)], [chunk_id])
        while chunks and batch.n < self._batch_max:
            cols, k, acks, chunk_id = chunks.popleft()
            for mine, more in zip(batch.columns, cols):
                mine += more
            batch.acks.append((batch.n, acks))
            batch.ids.append(chunk_id)
            batch.n += k
        self._queued -= batch.n
        return batch

    # --- the loop ------------------------------------------------------------------------
    async def run(self) -> None:
        while True:
            if not self._chunks:
                self._wake.clear()
                await self._wake.wait()
                continue
            if self._queued < self._batch_max and self._writing:
                # Group commit: while a batch is being committed, gather what arrives until the
                # batch is full, a commit ends, or batch_wait_s. With nothing in flight, write at
                # once: waiting then bought no grouping, only latency, and an HTTP app's answer
                # waits for its commit (about 75 ms at 50 connections before, issue 13). Writing
                # at once whenever any slot was free was faster still for the apps (about 1.5x)
                # but, in one check, gave websocket acks a p99 of 0.9 s at 8 k pings/s (many
                # small commits): not kept without a proper measurement.
                self._full.clear()
                try:
                    await asyncio.wait_for(self._full.wait(), self._batch_wait_s)
                except TimeoutError:
                    pass
            await self._slots.acquire()
            if not self._chunks:  # taken meanwhile by flush()
                self._slots.release()
                continue
            self._writing += 1
            task = asyncio.get_running_loop().create_task(self._write_slot(self._take()))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)

    async def _write_slot(self, batch: Batch) -> None:
        try:
            await self._write_until_done(batch)
        finally:
            self._slots.release()
            self._writing -= 1
            self._full.set()  # a commit ended: what gathered meanwhile goes now

    async def committed(self, timeout: float) -> bool:
        """Wait until every row queued before this call is committed (or refused for good);
        False after `timeout` (PostgreSQL unreachable). Ending a shift waits so: the pings taken
        on shift are stored, and acked, before the shift is closed."""
        target = self._last_id
        if not self._unwritten or min(self._unwritten) > target:
            return True
        waiter = asyncio.get_running_loop().create_future()
        self._barriers.append((target, waiter))
        self._full.set()  # don't wait for a fuller batch: someone is waiting for this one
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
            return True
        except TimeoutError:
            return False

    def _written(self, batch: Batch) -> None:
        self._unwritten.difference_update(batch.ids)
        if not self._barriers:
            return
        low = min(self._unwritten) if self._unwritten else self._last_id + 1
        waiting = []
        for target, waiter in self._barriers:
            if low > target:
                if not waiter.done():
                    waiter.set_result(None)
            elif not waiter.done():
                waiting.append((target, waiter))
        self._barriers = waiting

    async def flush(self, timeout: float) -> bool:
        """At shutdown: write what is queued, for at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        if self._inflight:
            await asyncio.wait(list(self._inflight), timeout=max(0.0, deadline - time.monotonic()))
        while self._chunks and time.monotonic() < deadline:
            try:
                await asyncio.wait_for(self._write_until_done(self._take()), deadline - time.monotonic())
            except TimeoutError:
                break
        return not self._chunks and not self._inflight

    async def _write_until_done(self, batch: Batch) -> None:
        delay = 0.1
        while True:
            try:
                bad = await self._write(batch.columns, 0, batch.n)
                break
            except Exception as exc:  # noqa: BLE001 - every non-data failure is retried
                self.db_ok = False
                now = time.monotonic()
                if now - self._last_error_log > 5:
                    self._last_error_log = now
                    log.warning(
                        "PostgreSQL write failed (%s: %s); %d pings held, retrying", type(exc).__name__, exc, self._held
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
        if not self.db_ok:
            log.info("PostgreSQL writes resumed; %d pings held", self._held)
        self.db_ok = True
        self.written += batch.n - len(bad)
        self._held -= batch.n
        self._resolve(batch, bad)
        self._written(batch)

    async def _write(self, columns: list[list], lo: int, hi: int, partitions_fixed: bool = False) -> set[int]:
        """Insert rows lo..hi; returns the positions of rows refused for good (data errors),
        isolated by bisection so that one bad row never blocks the others."""
        cols = columns if lo == 0 and hi == len(columns[0]) else [c[lo:hi] for c in columns]
        try:
            await self._insert(cols)
            return set()
        except _DATA_ERRORS as exc:
            if "no partition" in str(exc) and not partitions_fixed:
                # Midnight passed before maintenance ran, or a ping at the window's edge.
                await self._ensure_partitions_for(cols[4])
                return await self._write(columns, lo, hi, True)
            if hi - lo == 1:
                log.error("ping refused by PostgreSQL: %s: %s", type(exc).__name__, exc)
                return {lo}
        mid = (lo + hi) // 2
        return await self._write(columns, lo, mid, True) | await self._write(columns, mid, hi, True)

    async def _insert(self, columns: list[list]) -> None:
        async with self._pool.acquire(timeout=5) as conn:
            await queries.insert_many(conn, columns, timeout=15)

    async def _ensure_partitions_for(self, times: list[float]) -> None:
        first = dt.datetime.fromtimestamp(min(times), dt.UTC).date()
        last = dt.datetime.fromtimestamp(max(times), dt.UTC).date()
        async with self._pool.acquire(timeout=5) as conn:
            await queries.ensure_partitions(conn, first, last)

    @staticmethod
    def _resolve(batch: Batch, bad: set[int]) -> None:
        """One ack frame per connection and batch, whatever the number of its frames in it."""
        groups: dict[Sink, list[int]] = {}
        refused: dict[Sink, list[int]] = {}
        for offset, acks in batch.acks:
            for sink, seqs, a, _end in acks:
                if bad:
                    ok = [s for i, s in enumerate(seqs, offset + a) if i not in bad]
                    ko = [s for i, s in enumerate(seqs, offset + a) if i in bad]
                    if ko:
                        refused.setdefault(sink, []).extend(ko)
                    seqs = ok
                    if not seqs:
                        continue
                mine = groups.get(sink)
                if mine is None:
                    groups[sink] = seqs
                else:
                    mine += seqs
        for sink, seqs in groups.items():
            try:
                sink(seqs, True)
            except Exception:  # a closed connection's sink must not stop the others
                log.exception("ack sink failed")
        for sink, seqs in refused.items():
            try:
                sink(seqs, False)
            except Exception:
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
        shifts = await shift_queries.retire(conn, window_start)
    if made or retired or shifts:
        log.info("partitions: %d created, %d retired; %d old shifts deleted", made, retired, shifts)
    return {"created": made, "retired": retired, "shifts_deleted": shifts}
