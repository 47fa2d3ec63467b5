"""One HQ viewer of /ws/live as the hub sees it: the newest frame or a backlog, its scope and
view, the aggregates not sent yet, and error frames (server/live/hub.py fills it, routes.py
sends it)."""

from __future__ import annotations

import asyncio

from server.live.frames import Backlog, Frame, Scope
from server.live.totals import Totals
from server.live.viewport import HexDelta, ViewFrame

MAX_ERRORS = 10  # error frames held for one viewer


class Viewer:
    """One HQ websocket: at most one frame ready, or a Backlog while its sends lag behind."""

    __slots__ = (
        "campaign_id",
        "scope",
        "ready",
        "backlog",
        "wake",
        "frames_skipped",
        "view",
        "next_view",
        "hexes",
        "hex_sent",
        "hex_res",
        "hex_due",
        "totals",
        "totals_sent",
        "errors",
    )

    def __init__(self, campaign_id: int, scope: Scope, view: ViewFrame | None = None) -> None:
        self.campaign_id = campaign_id
        self.scope = scope._replace(box=view.box()) if view is not None else scope
        self.ready: Frame | None = None
        # Starts as a Backlog: what arrives while the snapshot is read and sent waits here.
        self.backlog: Backlog | None = Backlog()
        self.wake = asyncio.Event()
        self.frames_skipped = 0
        # Viewport scoping (viewport.py): the view applied, the one asked for (applied at the next
        # tick, so that a client sending views in a loop costs one pass a tick at most), and the
        # aggregates: not sent yet, as last sent, at which resolution, and whether they are due now.
        self.view = view
        self.next_view: ViewFrame | None = None
        self.hexes: HexDelta | None = None
        self.hex_sent: dict[int, int] = {}
        self.hex_res: int | None = None
        self.hex_due = view is not None
        # The campaign's counts (totals.py), for a viewer whose own store holds only its view.
        self.totals: str | None = None
        self.totals_sent: Totals | None = None
        self.errors: list[str] = []  # error frames to send (a bad view frame)

    def offer(self, frame: Frame) -> None:
        if self.ready is None and self.backlog is None:
            self.ready = frame
        else:  # the previous frame is not taken yet: merge instead of queueing
            if self.backlog is None:
                self.backlog = Backlog()
            if self.ready is not None:
                self.backlog.merge(self.ready)
                self.ready = None
            self.backlog.merge(frame)
            self.frames_skipped += 1
        self.wake.set()

    def take(self) -> str | None:
        """The newest frame's text, or None when nothing is pending."""
        frame = self.take_frame()
        return frame.text if frame else None

    def take_frame(self) -> Frame | None:
        """The newest frame (for a viewer with its own encoding, server/live/binary.py)."""
        frame, self.ready = self.ready, None
        if frame is None and self.backlog is not None:
            frame, self.backlog = (self.backlog.frame() if self.backlog else None), None
        return frame if frame else None

    def offer_hexes(self, delta: HexDelta) -> None:
        if self.hexes is None:
            self.hexes = delta
        else:
            self.hexes.merge(delta)
        self.wake.set()

    def take_hexes(self) -> HexDelta | None:
        delta, self.hexes = self.hexes, None
        return delta if delta else None

    def offer_totals(self, t: int, totals: Totals) -> None:
        if totals != self.totals_sent:
            self.totals, self.totals_sent = totals.text(t), totals
            self.wake.set()

    def take_totals(self) -> str | None:
        text, self.totals = self.totals, None
        return text

    def refuse(self, reason: str) -> None:
        """An error frame for this viewer (bounded: a client looping on bad frames gets the last ones)."""
        self.errors = [*self.errors[-(MAX_ERRORS - 1) :], reason]
        self.wake.set()

    def pending(self) -> int:
        """Entries held for this viewer (for tests and metrics): bounded by the volunteers."""
        return (len(self.backlog) if self.backlog else 0) + (1 if self.ready else 0)
