"""One campaign's live state in an HQ process (server/live/hub.py keeps one per watched campaign):
the newest state of each volunteer, what changed since the last tick, and, at each tick, the
frames for its viewers' scopes and views and the hex counts of what lies outside their views."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from server.live.frames import MAX_EVENTS, Activity, Frame, Scope, VState
from server.live.totals import Totals, count_totals
from server.live.viewer import Viewer
from server.live.viewport import Box, HexDelta, count_cells, diff


class Feed:
    """One campaign's live state in this process, while at least one viewer watches it."""

    def __init__(self) -> None:
        self.viewers: set[Viewer] = set()
        self.states: dict[int, VState] = {}  # as of the last tick: staleness and scope exits
        self.stale: set[int] = set()
        self.changed: dict[int, VState] = {}  # since the last tick
        self.gone: set[int] = set()
        self.events: list[VState | Activity] = []
        self.next_stale_scan = 0.0
        self.next_aggregate = 0.0
        self.moved = False  # states changed since the last periodic aggregation
        self.seeded = False  # read from the Redis hash once: snapshots then come from memory
        self.seeding: asyncio.Future | None = None

    def current(self) -> Iterable[VState]:
        """Every volunteer's newest state, those gone left out."""
        for v, st in self.states.items():
            if v not in self.gone and v not in self.changed:
                yield st
        yield from self.changed.values()

    def newest(self, v: int) -> VState | None:
        return self.changed.get(v) or self.states.get(v)

    def on_ping(self, st: VState) -> None:
        old = self.newest(st.v)
        if old is not None and st.t < old.t and st.v not in self.gone:
            return  # older than what we have (a resync racing a live delta)
        self.changed[st.v] = st
        self.gone.discard(st.v)
        if st.ev:
            self.events.append(st)
            del self.events[:-MAX_EVENTS]

    def on_event(self, act: Activity) -> None:
        last = self.newest(act.v)
        if last is not None:
            if act.ds is None:
                act.ds = last.ds
            if act.team is None:
                act.team = last.team
        self.events.append(act)
        del self.events[:-MAX_EVENTS]

    def on_gone(self, v: int) -> None:
        self.changed.pop(v, None)
        if v in self.states:
            self.gone.add(v)

    def seed(self, st: VState, stale: bool) -> None:
        """A state read from the Redis hash, so that it can turn stale later in this process."""
        if st.v not in self.states and st.v not in self.changed and st.v not in self.gone:
            self.states[st.v] = st
            self.moved = True
            if stale:
                self.stale.add(st.v)

    def tick(self, t: int, stale_ms: float, scan: bool, aggregate: bool = False) -> None:
        newly_stale = []
        if scan:
            limit = t - stale_ms
            newly_stale = [
                v
                for v, st in self.states.items()
                if st.rt < limit and v not in self.stale and v not in self.changed and v not in self.gone
            ]
        if self.changed or self.gone or newly_stale or self.events:
            self._offer(t, newly_stale)
        self._apply_views(t)
        self._aggregate(t, aggregate)

    def _offer(self, t: int, newly_stale: list[int]) -> None:
        self.moved = True
        frames: dict[Scope, Frame] = {}
        for viewer in self.viewers:
            frame = frames.get(viewer.scope)
            if frame is None:
                frame = frames[viewer.scope] = self._frame(viewer.scope, t, newly_stale)
            if frame:
                viewer.offer(frame)
        for v in self.gone:
            self.states.pop(v, None)
            self.stale.discard(v)
        self.states.update(self.changed)
        self.stale.difference_update(self.changed)
        self.stale.update(newly_stale)
        self.changed, self.gone, self.events = {}, set(), []

    def _frame(self, scope: Scope, t: int, newly_stale: list[int]) -> Frame:
        if scope == Scope():
            return Frame(t, self.changed, newly_stale, list(self.gone), self.events)
        updates: dict[int, VState] = {}
        gone = [v for v in self.gone if scope.admits(self.states.get(v))]
        out: list[int] = []
        for v, st in self.changed.items():
            if scope.admits(st):
                updates[v] = st
            elif scope.admits(self.states.get(v)):
                # out of this viewer's view, or gone from its district or team
                (out if scope.admits_event(st) else gone).append(v)
        stale = [v for v in newly_stale if scope.admits(self.states.get(v))]
        return Frame(t, updates, stale, gone, [e for e in self.events if scope.admits_event(e)], out)

    def _apply_views(self, t: int) -> None:
        """Views asked for since the last tick: what enters the view (margin included) is sent,
        what leaves it is sent "out". Worked out from `states`, which every viewer of this feed
        has been told of within its scope: the same rule as a tick's frames."""
        for viewer in self.viewers:
            view = viewer.next_view
            if view is None:
                continue
            viewer.next_view = None
            old, new = viewer.scope, viewer.scope._replace(box=view.box())
            if new != old:
                updates, out = {}, []
                for v, st in self.states.items():
                    was, now = old.admits(st), new.admits(st)
                    if now and not was:
                        updates[v] = st
                    elif was and not now:
                        out.append(v)
                viewer.scope = new
                viewer.hex_due = True
                frame = Frame(t, updates, [v for v in updates if v in self.stale], [], [], out)
                if frame:
                    viewer.offer(frame)
            if viewer.view is None or view.res() != viewer.view.res():
                viewer.hex_due = True
            viewer.view = view

    def _aggregate(self, t: int, periodic: bool) -> None:
        """Hex counts of what each viewer with a view does not get one by one: for viewers whose
        view changed, and once a `periodic` call when anything moved; only changed cells go out."""
        if not self.seeded:
            return  # counts over a hash not read yet would be zeros: wait, hex_due stays set
        counted: dict[tuple[Scope, int, Box], dict[int, int]] = {}
        totals: dict[Scope, Totals] = {}
        for viewer in self.viewers:
            if viewer.view is None or not (viewer.hex_due or (periodic and self.moved)):
                continue
            res, scope, reach = viewer.view.res(), viewer.scope, viewer.view.reach()
            everywhere = scope._replace(box=None)
            counts = counted.get((scope, res, reach))
            if counts is None:
                counts = count_cells(self.states.values(), everywhere.admits, scope.box, res, reach)
                counted[scope, res, reach] = counts
            campaign_wide = totals.get(everywhere)
            if campaign_wide is None:
                campaign_wide = totals[everywhere] = count_totals(self.states.values(), self.stale, everywhere.admits)
            viewer.offer_totals(t, campaign_wide)
            full = viewer.hex_res != res
            cells = dict(counts) if full else diff(viewer.hex_sent, counts)
            viewer.hex_sent, viewer.hex_res, viewer.hex_due = counts, res, False
            delta = HexDelta(t, res, full, cells)
            if delta:
                viewer.offer_hexes(delta)
        if periodic:
            self.moved = False
