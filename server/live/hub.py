"""The live hub: ONE Redis pub/sub connection per server process, fanned out to HQ viewers.

Shape (after encode/broadcaster's single listener, and polar's eventstream):
- The reader task only decodes each message once and writes it into its campaign's `changed`
  dict (volunteer id → newest state). It never awaits a viewer, so a slow viewer cannot slow
  Redis reading or anyone else.
- A ticker runs `live_frames_per_second` times a second. For each campaign with changes it
  builds one Frame per scope in use (all / a district / a team), encoded once, and offers it to
  each viewer. An idle viewer just takes the shared frame; a viewer still sending merges it into
  its own Backlog (keyed by volunteer, so bounded by the number of volunteers).
- Each viewer has one sender task that sends whatever is newest; intermediate frames are never
  queued, only merged.
- A viewer that sent its view (viewport.py) has the view's box in its scope: the same rules then
  send it what enters its view and mark "out" what leaves it; once a second, the volunteers
  outside it (and within reach of it) are counted per H3 cell and the changed counts offered.
Channels are subscribed per campaign on demand (reference-counted by viewers), so a process
receives only the campaigns its viewers watch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Iterable

import orjson
import redis.asyncio as aioredis

from server.live.feed import Feed
from server.live.frames import Scope, VState, decode
from server.live.viewer import Viewer
from server.live.viewport import ViewFrame
from server.events import DEFAULT_PREFIX, hub_control_channel, listen_forever, live_channel, volunteer_state_key

log = logging.getLogger("server.live")


def now_ms() -> int:
    return int(time.time() * 1000)


class LiveHub:
    def __init__(
        self,
        redis: aioredis.Redis,
        frames_per_second: float,
        stale_after_s: float,
        prefix: str = DEFAULT_PREFIX,
        aggregate_every_s: float = 1.0,
    ) -> None:
        self._redis = redis
        self._aggregate_every = aggregate_every_s
        self._prefix = prefix
        self._interval = 1.0 / max(frames_per_second, 0.1)
        self._stale_ms = stale_after_s * 1000.0
        self._feeds: dict[int, Feed] = {}
        self._channels: dict[bytes, int] = {}
        # Keeps the connection subscribed (so `listen` works) even when no campaign is watched.
        self._control = hub_control_channel(uuid.uuid4().hex, prefix)
        self._pubsub = None
        self._subscribed: set[int] = set()
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []
        self.messages = 0

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._read_forever(), name="live-reader"),
            asyncio.create_task(self._tick_forever(), name="live-ticker"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def feed(self, campaign_id: int) -> Feed | None:
        return self._feeds.get(campaign_id)

    # --- viewers -------------------------------------------------------------------------
    async def join(self, campaign_id: int, scope: Scope, view: ViewFrame | None = None) -> Viewer:
        viewer = Viewer(campaign_id, scope, view)
        feed = self._feeds.get(campaign_id)
        if feed is None:
            feed = self._feeds[campaign_id] = Feed()
            self._channels[live_channel(campaign_id, self._prefix).encode()] = campaign_id
        feed.viewers.add(viewer)
        await self._sync(campaign_id)
        return viewer

    async def leave(self, viewer: Viewer) -> None:
        feed = self._feeds.get(viewer.campaign_id)
        if feed is None:
            return
        feed.viewers.discard(viewer)
        if not feed.viewers:
            del self._feeds[viewer.campaign_id]
            await self._sync(viewer.campaign_id)

    async def snapshot(self, viewer: Viewer, on_shift: list[dict] | None = None) -> str:
        """Every volunteer of the campaign in the viewer's scope, flagged stale or not. The
        campaign's feed is seeded once from the Redis hash (the state every ingest process
        writes), so that those volunteers turn stale later here too; viewers joining while it is
        read wait for that one read, and later ones are served from the feed's memory: a 50,000-
        volunteer hash is 15 MB, and ten viewers reading it at once outlast Redis's timeouts.
        `on_shift` ({"v", "since", "team"}, from PostGIS) lists who is on shift, kept to the
        viewer's scope too."""
        feed = self._feeds.get(viewer.campaign_id)
        if feed is None:  # not joined: nothing to show
            feed = Feed()
            feed.seeded = True
        if not feed.seeded:
            if feed.seeding is None or feed.seeding.done():
                feed.seeding = asyncio.ensure_future(self._seed(viewer.campaign_id, feed))
            await asyncio.shield(feed.seeding)
        t = now_ms()
        limit = t - self._stale_ms
        out = [
            st.raw.rstrip()[:-1] + (b',"stale":true}' if st.rt < limit else b',"stale":false}')
            for st in feed.current()
            if viewer.scope.admits(st)
        ]
        viewer.hex_due = viewer.view is not None  # aggregates over what was just seeded
        shifts = None if on_shift is None else [s for s in on_shift if self._in_scope(viewer, s, feed)]
        return b"".join(
            [
                b'{"type":"snapshot","t":',
                str(t).encode(),
                b',"volunteers":[',
                b",".join(out),
                b'],"on_shift":',
                orjson.dumps(shifts),
                b"}",
            ]
        ).decode()

    async def _seed(self, campaign_id: int, feed: Feed) -> None:
        t = now_ms()
        for st in await self._read_states(campaign_id):
            feed.seed(st, st.rt < t - self._stale_ms)
        feed.seeded = True

    async def _read_states(self, campaign_id: int) -> list[VState]:
        raw = await self._redis.hgetall(volunteer_state_key(campaign_id, self._prefix))
        states = []
        for value in raw.values():
            try:
                states.append(VState(orjson.loads(value), value))
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                continue
        return states

    @staticmethod
    def _in_scope(viewer: Viewer, shift: dict, feed: Feed | None) -> bool:
        scope = viewer.scope
        if scope.team is not None and shift.get("team") != scope.team:
            return False
        if scope.district is None:
            return True
        last = feed.newest(shift["v"]) if feed is not None else None
        return last is not None and last.ds == scope.district

    # --- Redis ---------------------------------------------------------------------------
    async def _sync(self, campaign_id: int) -> None:
        """Make the subscription match whether a feed exists; serialised so that a leave and a
        join in quick succession cannot reach Redis out of order."""
        async with self._lock:
            pubsub = self._pubsub
            if pubsub is None:
                return  # reconnecting: the reader subscribes every feed once connected
            want, have = campaign_id in self._feeds, campaign_id in self._subscribed
            try:
                if want and not have:
                    await pubsub.subscribe(live_channel(campaign_id, self._prefix))
                    self._subscribed.add(campaign_id)
                elif have and not want:
                    await pubsub.unsubscribe(live_channel(campaign_id, self._prefix))
                    self._subscribed.discard(campaign_id)
            except Exception as exc:  # noqa: BLE001 - the reader reconnects and resubscribes
                log.warning("live (un)subscribe failed: %s: %s", type(exc).__name__, exc)
            if not want:
                self._channels.pop(live_channel(campaign_id, self._prefix).encode(), None)

    async def _read_forever(self) -> None:
        await listen_forever(
            self._redis,
            "live hub",
            self._subscribe_all,
            self._on_message,
            on_reconnect=self._resync_subscribed,
            on_lost=self._lost,
        )

    async def _subscribe_all(self, pubsub) -> None:
        async with self._lock:
            ids = list(self._feeds)
            await pubsub.subscribe(self._control, *(live_channel(c, self._prefix) for c in ids))
            self._pubsub, self._subscribed = pubsub, set(ids)

    async def _resync_subscribed(self) -> None:
        log.info("live hub resyncing %d campaigns", len(self._subscribed))
        await self._resync(list(self._subscribed))

    def _lost(self) -> None:
        self._pubsub = None  # _sync waits for the reader to subscribe every feed again

    def _on_message(self, channel: bytes, data: bytes) -> None:
        self.messages += 1
        feed = self._feeds.get(self._channels.get(channel, -1))
        if feed is None:
            return  # a message in flight for a campaign nobody here watches any more
        try:
            items = decode(data)
        except orjson.JSONDecodeError:
            log.warning("live: undecodable message on %s", channel)
            return
        for kind, item in items:
            if kind == "ping":
                feed.on_ping(item)
            elif kind == "event":
                feed.on_event(item)
            else:
                feed.on_gone(item)

    async def _resync(self, campaign_ids: Iterable[int]) -> None:
        """After a Redis outage, deltas were missed: re-read each hash; what vanished is gone."""
        for cid in campaign_ids:
            raw = await self._redis.hgetall(volunteer_state_key(cid, self._prefix))
            feed = self._feeds.get(cid)
            if feed is None:
                continue
            seen = set()
            for value in raw.values():
                with contextlib.suppress(Exception):
                    st = VState(orjson.loads(value), value)
                    seen.add(st.v)
                    feed.on_ping(st)
            for v in list(feed.states):
                if v not in seen:
                    feed.on_gone(v)

    # --- ticks ---------------------------------------------------------------------------
    async def _tick_forever(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            next_at += self._interval
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            if loop.time() - next_at > self._interval:
                next_at = loop.time()  # fell behind (a busy loop): don't fire a burst of ticks
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - one bad tick must not stop the live map
                log.exception("live tick failed")

    def tick(self) -> None:
        t = now_ms()
        mono = time.monotonic()
        for feed in list(self._feeds.values()):
            # Staleness moves at human speed: one scan a second is plenty.
            scan = mono >= feed.next_stale_scan
            if scan:
                feed.next_stale_scan = mono + 1.0
            aggregate = mono >= feed.next_aggregate
            if aggregate:
                feed.next_aggregate = mono + self._aggregate_every
            feed.tick(t, self._stale_ms, scan, aggregate)
