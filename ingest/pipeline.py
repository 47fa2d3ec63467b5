"""The ping pipeline: accept (shift → rate limit → queue), then per tick gather → locate → zones →
rows → publish, each stage a method of its own.

Connections hand their checked pings to `Pipeline.submit` (no await, no per-ping work) and a
single tick task processes whatever arrived since the last tick, every `tick_s` at most:

- H3 cells and area lookups are vectorised over the whole tick (h3ronpy, AreaIndex.locate_many);
- the rows are built column by column, the layout of the INSERT, so the writer never transposes;
- zone transitions are worked out per volunteer, oldest fix first;
- the live deltas of the tick (each volunteer's transitions and newest fix) and their latest
  state go to Redis in ONE round trip (a Lua script: PUBLISH each delta, HSET each state).

Everything here runs on in-memory state: the area index (refreshed in the background), each
volunteer's team, assignment, last fix and zone (loaded on connection, refreshed in the
background). Nothing awaits PostgreSQL: rows go to the BatchWriter, which acks after commit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, NamedTuple

import asyncpg

from ingest.duty import Duty
from ingest.live import LivePublisher
from ingest.frames import Frame, Located, News, frame_rows, gather_more, ordered
from ingest.lookup import AreaLookup, cells_of
from ingest.protocol import Ping, PingError
from ingest.volunteer_sync import VolunteerSync
from ingest.volunteer import TokenBucket, Volunteer
from ingest.zones import is_inside, transition
from ingest.writer import BatchWriter, Sink
from server.events import ping_event
from server.pings import queries

log = logging.getLogger("ingest.pipeline")


class Accepted(NamedTuple):
    """What became of a frame's pings at admission (Pipeline.accept)."""

    pings: list[Ping]  # queued for the next tick; each sink is called after the commit
    off_shift: list[PingError]  # refused for good: not on shift, or taken before it started
    dropped: list[int]  # refused for now (rate limit or queue bound): retry after retry_ms
    retry_ms: int
    queue_full: bool  # dropped because the store is behind (not the device's rate)


class Pipeline:
    def __init__(
        self,
        pool: asyncpg.Pool,
        areas: AreaLookup,
        writer: BatchWriter,
        live: LivePublisher,
        duty: Duty,
        rate: float,
        burst: float,
        refresh_s: float = 10.0,
        tick_s: float = 0.005,
        resync_idle_s: float = 1.0,
        gap_s: float = 0.001,
        app_tick_s: float | None = 0.001,
    ) -> None:
        self._pool = pool
        self.areas = areas
        self.live = live
        self.duty = duty
        self.writer = writer
        self._rate, self._burst, self._refresh_s = rate, burst, refresh_s
        self._tick_s, self._resync_idle_s, self._gap_s = tick_s, resync_idle_s, gap_s
        self._app_tick_s = app_tick_s
        self._volunteers: dict[tuple[int, int], Volunteer] = {}
        self._inbox: list[tuple[Volunteer, str, list[Ping], Sink | None]] = []
        self._apps_in_inbox = False  # an app's request (not "ws") waits for this tick's commit
        self._settled: list[asyncio.Future] = []  # waiting for the end of the next tick
        self._wake = asyncio.Event()
        self._background: set[asyncio.Task] = set()
        self._loading: dict[tuple[int, int], asyncio.Future] = {}
        self._sync = VolunteerSync(pool, live, duty, self._set_assignment)

    # --- volunteer state -----------------------------------------------------------------
    async def volunteer(self, campaign_id: int, user_id: int, resync: bool = True) -> Volunteer:
        """The volunteer's state. The first call loads it (DB + Redis). With `resync`, a
        volunteer this process has not seen for `resync_idle_s` has zone, last fix and shift
        reloaded: with several ingest processes their previous connection (or HTTP request)
        may have been served by another one, and a shift may have started elsewhere. Both go
        through the batched loader (ingest/volunteer_sync.py): concurrent requests share the
        round trips, and concurrent first requests of one volunteer share its load."""
        key = (campaign_id, user_id)
        vol = self._volunteers.get(key)
        if vol is None:
            return await self._load(key)
        if resync and time.monotonic() - vol.seen_at > self._resync_idle_s:
            await self._sync.sync(vol, new=False)
        return vol

    async def _load(self, key: tuple[int, int]) -> Volunteer:
        loading = self._loading.get(key)
        if loading is not None:
            return await asyncio.shield(loading)
        loading = self._loading[key] = asyncio.get_running_loop().create_future()
        loading.add_done_callback(_retrieved)
        try:
            vol = Volunteer(key[0], key[1], TokenBucket(self._rate, self._burst))
            await self._sync.sync(vol, new=True)
            self._volunteers[key] = vol
            await self.areas.warm(key[0])
            loading.set_result(vol)
            return vol
        except BaseException as exc:
            loading.set_exception(exc)
            raise
        finally:
            del self._loading[key]

    @staticmethod
    def _set_assignment(vol: Volunteer, team: int | None, area: int | None) -> None:
        if area != vol.area_id:
            vol.zone = None  # in/out of the old turf says nothing about the new one
        vol.team_id, vol.area_id = team, area

    def apply_assignment(self, campaign_id: int, user_id: int, team: int, area: int) -> None:
        """HQ sent the volunteer's team somewhere (ingest/relay.py): take it at once."""
        vol = self._volunteers.get((campaign_id, user_id))
        if vol is not None:
            self._set_assignment(vol, team, area)

    def end_shift(self, campaign_id: int, user_id: int, shift_id: int) -> bool:
        """The shift ended elsewhere (ingest/relay.py): refuse the volunteer's next pings, now
        (no await between this and the next frame read). Pings queued before are stored (they
        were received on shift) but no longer published; once the tick in flight is done,
        their live state is removed again, in case that tick wrote it back after HQ removed it.
        Returns whether the shift was open in this process."""
        vol = self._volunteers.get((campaign_id, user_id))
        if vol is None or vol.shift_id != shift_id:
            return False
        self.duty.ended(vol)
        task = asyncio.get_running_loop().create_task(self._forget_live_state(vol))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return True

    async def _forget_live_state(self, vol: Volunteer) -> None:
        await self.settle()
        await self.live.drop_state(vol.campaign_id, vol.user_id)

    async def refresh_assignments(self) -> None:
        """Every `refresh_s`: the assignments of the volunteers active in the last 10 minutes,
        one query per campaign (not one per volunteer: at 5,000 volunteers that was 500
        queries/s competing with the batch writer for the pool)."""
        while True:
            await asyncio.sleep(self._refresh_s)
            since = time.monotonic() - 600.0
            by_campaign: dict[int, list[Volunteer]] = {}
            for vol in self._volunteers.values():
                if vol.seen_at >= since or vol.loaded_at >= since:
                    by_campaign.setdefault(vol.campaign_id, []).append(vol)
            for cid, vols in by_campaign.items():
                await self._refresh_assignments(cid, vols)

    async def _refresh_assignments(self, campaign_id: int, vols: list[Volunteer]) -> None:
        try:
            async with self._pool.acquire(timeout=5) as conn:
                found = await queries.volunteer_assignments(conn, campaign_id, [v.user_id for v in vols])
                await self.duty.refresh(conn, campaign_id, vols)
        except Exception as exc:  # noqa: BLE001 - keep the last known assignments
            log.warning("assignments of campaign %s not refreshed: %s: %s", campaign_id, type(exc).__name__, exc)
            found = None
        now = time.monotonic()
        for vol in vols:
            vol.loaded_at = now
            if found is not None:
                team, area = found.get(vol.user_id, (None, None))
                self._set_assignment(vol, team, area)

    # --- admission and hand-over (per frame, no await) -------------------------------------
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

    def accept(self, vol: Volunteer, source: str, pings: list[Ping], sink: Sink | None) -> Accepted:
        """Every ping goes through this, whatever its protocol (ingest/websocket.py,
        ingest/device_http.py), in order: on shift (Duty.split) → rate limit and queue bound
        (admit) → queued for the next tick (submit). No await: a frame is admitted whole."""
        taken, off_shift = self.duty.split(vol, pings)
        if not taken:
            return Accepted([], off_shift, [], 0, False)
        taken, dropped, retry_ms, full = self.admit(vol, taken)
        self.submit(vol, source, taken, sink)
        return Accepted(taken, off_shift, dropped, retry_ms, full)

    def submit(self, vol: Volunteer, source: str, pings: list[Ping], sink: Sink | None) -> None:
        """Queue admitted pings for the next tick; sink(seqs, ok) is called after the commit."""
        if not pings:
            return
        self.writer.hold(len(pings))  # counted against the queue bound from now on
        self._inbox.append((vol, source, pings, sink))
        if source != "ws":
            self._apps_in_inbox = True
        self._wake.set()

    # --- the tick --------------------------------------------------------------------------
    async def run(self) -> None:
        refresher = asyncio.get_running_loop().create_task(self.refresh_assignments())
        try:
            await self._run()
        finally:
            refresher.cancel()

    async def settle(self) -> None:
        """Return once everything submitted so far has been processed and published live, so
        that what comes next (a pause) reaches HQ after it."""
        waiter = asyncio.get_running_loop().create_future()
        self._settled.append(waiter)
        self._wake.set()
        await waiter

    async def _run(self) -> None:
        while True:
            if not self._inbox and not self._settled:
                self._wake.clear()
                await self._wake.wait()
                if self._tick_s and self._inbox:
                    await gather_more(self._inbox, self._tick_s, self._gap_s, self._app_tick_s, self._apps_waiting)
            items, self._inbox, self._apps_in_inbox = self._inbox, [], False
            settled, self._settled = self._settled, []
            try:
                if items:
                    await self.process_items(items)
            except Exception:  # noqa: BLE001 - never stop the pipeline; the clients resend
                log.exception("pipeline tick failed; %d frames dropped unacknowledged", len(items))
            finally:
                for waiter in settled:
                    if not waiter.done():
                        waiter.set_result(None)

    def _apps_waiting(self) -> bool:
        return self._apps_in_inbox

    async def drain(self) -> None:
        """At shutdown: process what is still in the inbox (the writer then flushes it)."""
        items, self._inbox, self._apps_in_inbox = self._inbox, [], False
        if items:
            await self.process_items(items)

    async def process_items(self, items: list) -> None:
        """One tick, stage by stage (each a method below, in this order):
        gather (order and dedupe each frame) → locate (H3 cells, areas) → zones (enter/exit per
        volunteer) → rows (to the batch writer, acked after commit) → publish (Redis, HQ)."""
        rt = int(time.time() * 1000)
        frames, flat = self._gather(items)
        located = self._locate(frames, flat)
        news = self._zones(frames, flat, located)
        self._rows(frames, flat, located, rt)
        await self._publish(news, flat, located, rt)

    def _gather(self, items: list) -> tuple[list[Frame], list[Ping]]:
        """Frames with their pings oldest first and each seq once, and all pings in row order."""
        held = 0
        flat: list[Ping] = []
        frames: list[Frame] = []
        for vol, source, pings, sink in items:
            held += len(pings)
            if len(pings) > 1:
                pings = ordered(pings)
            frames.append((vol, source, pings, sink))
            flat.extend(pings)
        # What submit() held is now counted by submit_columns (no await in between, so no
        # admission sees the difference); duplicates within a frame are thereby released.
        self.writer.hold(-held)
        return frames, flat

    def _locate(self, frames: list[Frame], flat: list[Ping]) -> Located:
        """H3 cell and polling station, neighbourhood, district of every ping, vectorised."""
        n = len(flat)
        lons = [p.lon for p in flat]
        lats = [p.lat for p in flat]
        cells = cells_of(lats, lons)
        cids = {f[0].campaign_id for f in frames}
        if len(cids) == 1:
            ps, nb, ds = self.areas.locate_many(next(iter(cids)), lons, lats)
        else:
            ps, nb, ds = [-1] * n, [-1] * n, [-1] * n
            row_cids = frame_rows(frames)
            for cid in cids:
                idx = [i for i, c in enumerate(row_cids) if c == cid]
                a, b, c = self.areas.locate_many(cid, [lons[i] for i in idx], [lats[i] for i in idx])
                for i, x, y, z in zip(idx, a, b, c):
                    ps[i], nb[i], ds[i] = x, y, z
        return Located(lons, lats, cells, ps, nb, ds)

    def _zones(self, frames: list[Frame], flat: list[Ping], at: Located) -> dict[int, list[News]]:
        """Per campaign, what HQ must hear, in order: each zone transition as it happens, then
        the newest fix of each frame (if not one of them). A ping no newer than the volunteer's
        last (or than now, if that one was future-dated) is a resend or a late backlog ping:
        stored, but not news for the map."""
        now = time.monotonic()
        wall = time.time()
        news: dict[int, list[News]] = {}
        ps, nb, ds = at.ps, at.nb, at.ds
        i = 0
        for vol, _, pings, _ in frames:
            k = len(pings)
            vol.seen_at = now
            if vol.shift_id is None:  # ended while queued: stored, but off the map (end_shift)
                i += k
                continue
            # A last fix dated ahead of the server's clock (a device clock running fast, within
            # the future tolerance) counts as taken now: otherwise every later fix would be
            # "older" and the volunteer frozen on the map until the clock caught up. The map
            # follows the newest fix by arrival; only a fix older than now-or-the-last is a late
            # backlog fix (stored, not news).
            assigned, last_t, newest = vol.area_id, min(vol.last_t, wall), None
            for j in range(i, i + k):
                t = flat[j].t
                if t <= last_t:
                    continue
                last_t = t
                zone = ev = None
                if assigned is not None:
                    zone, ev = transition(vol.zone, is_inside(assigned, ps[j], nb[j], ds[j]))
                    vol.zone = zone
                if ev is not None:
                    news.setdefault(vol.campaign_id, []).append((vol, j, zone, ev))
                    newest = None
                else:
                    newest = (vol, j, zone, ev)
            if newest is not None:
                news.setdefault(vol.campaign_id, []).append(newest)
            vol.last_t = last_t
            i += k
        return news

    def _rows(self, frames: list[Frame], flat: list[Ping], at: Located, rt: int) -> None:
        """Columns in INSERT order to the batch writer, with the acks as (sink, seqs, first
        row, end row): the writer calls each sink after the commit."""
        n = len(flat)
        col_c: list[int] = []
        col_v: list[int] = []
        col_s: list[str] = []
        acks = []
        i = 0
        for vol, source, pings, sink in frames:
            k = len(pings)
            col_c += [vol.campaign_id] * k
            col_v += [vol.user_id] * k
            col_s += [source] * k
            if sink is not None:
                acks.append((sink, [p.seq for p in pings], i, i + k))
            i += k
        columns: list[list[Any]] = [
            col_c,
            col_v,
            col_s,
            [p.seq for p in flat],
            [p.t for p in flat],
            [rt] * n,
            at.lons,
            at.lats,
            [p.acc for p in flat],
            [p.alt for p in flat],
            [p.spd for p in flat],
            [p.hdg for p in flat],
            [p.bat for p in flat],
            at.cells,
            at.ps,
            at.nb,
            at.ds,
            [p.low_acc for p in flat],
        ]
        self.writer.submit_columns(columns, n, acks)

    async def _publish(self, news: dict[int, list[News]], flat: list[Ping], at: Located, rt: int) -> None:
        """Live deltas, one Redis round trip per campaign; the state is each volunteer's last."""
        for cid, pubs in news.items():
            codes = self.areas.codes(cid)
            deltas, states = [], {}
            for vol, j, zone, ev in pubs:
                d = self._delta(vol, flat[j], rt, at.cells[j], at.ps[j], at.nb[j], at.ds[j], codes, zone, ev)
                deltas.append(d)
                states[vol.user_id] = d
            flat_states: list = []
            for uid, d in states.items():
                flat_states += (uid, d)
            await self.live.publish(cid, deltas, flat_states)

    @staticmethod
    def _delta(
        vol: Volunteer,
        p: Ping,
        rt: int,
        cell: int,
        ps: int,
        nb: int,
        ds: int,
        codes: dict[int, str],
        zone: str | None,
        ev: str | None,
    ) -> bytes:
        return ping_event(
            vol.user_id,
            vol.team_id,
            p.seq,
            p.t,
            rt,
            p.lon,
            p.lat,
            p.acc,
            p.hdg,
            p.spd,
            p.bat,
            cell,
            codes.get(ps),
            codes.get(nb),
            codes.get(ds),
            zone,
            ev,
            p.low_acc,
        )


def _retrieved(future: asyncio.Future) -> None:
    """A failed load is raised to its first caller; the others may be none (no warning)."""
    if not future.cancelled():
        future.exception()
