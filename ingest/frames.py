"""Frames as the pipeline handles them: what a tick works on, how long a tick gathers them,
and each frame's pings in the order the store and the zones expect."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from ingest.protocol import Ping
from ingest.writer import Sink

if TYPE_CHECKING:
    from ingest.volunteer import Volunteer

# A frame as submitted: (volunteer, source, pings, sink called after the commit).
Frame = tuple["Volunteer", str, list[Ping], Sink | None]
# Something HQ must hear: (volunteer, row index, zone, event).
News = tuple["Volunteer", int, str | None, str | None]


class Located(NamedTuple):
    """Per row: position, H3 cell, and area ids (-1: none) at each level."""

    lons: list[float]
    lats: list[float]
    cells: list[int]
    ps: list[int]
    nb: list[int]
    ds: list[int]


async def gather_more(
    inbox: list,
    tick_s: float,
    gap_s: float,
    app_tick_s: float | None = None,
    apps_waiting: Callable[[], bool] = lambda: False,
) -> None:
    """Wait up to `tick_s` for more frames in `inbox`, in steps of `gap_s`, and stop at the
    first step that brought none; once `apps_waiting()`, wait `app_tick_s` at most.

    Phones on the websocket send without waiting for their acks, so at load every step brings
    frames and a tick gathers for the whole `tick_s`: fewer, fuller commits, and the phone is
    not held up by the wait. An OwnTracks or Traccar request waits for its answer, the commit,
    before its app sends the next fix: each ms gathered adds to every such cycle, and at 50
    connections the requests trickle in as the server parses them, so the gap alone rarely
    ends the tick (docs/benchmarks.md, "App protocols"). gap_s = 0: always the whole tick."""
    loop = asyncio.get_running_loop()
    step = gap_s if 0 < gap_s < tick_s else tick_s
    start = loop.time()

    def end() -> float:
        if app_tick_s is not None and apps_waiting():
            return start + min(tick_s, app_tick_s)
        return start + tick_s

    seen = len(inbox)
    while True:
        await asyncio.sleep(min(step, max(0.0, end() - loop.time())))
        if len(inbox) == seen or loop.time() >= end():
            return
        seen = len(inbox)


def frame_rows(frames: list) -> list[int]:
    """Campaign id of each row, in row order (the rare multi-campaign tick)."""
    out: list[int] = []
    for vol, _, pings, _ in frames:
        out += [vol.campaign_id] * len(pings)
    return out


def _by_t(p: Ping) -> float:
    return p.t


def ordered(pings: list[Ping]) -> list[Ping]:
    """Oldest first (zone transitions follow the device's own timeline), each ping once. A
    ping's identity is (seq, t), the same as the store's unique key (volunteer, source, seq, t):
    a resend repeats both and is kept once, within a frame as across frames; the same seq
    with another t is another ping, kept in both cases (docs/protocol.md, "Ping identity")."""
    prev_t = pings[0].t
    ok = True
    for p in pings[1:]:
        if p.t < prev_t:
            ok = False
            break
        prev_t = p.t
    if ok and len({p.seq for p in pings}) == len(pings):
        return pings
    seen: set[tuple[int, float]] = set()
    out = []
    for p in sorted(pings, key=_by_t):
        if (p.seq, p.t) not in seen:
            seen.add((p.seq, p.t))
            out.append(p)
    return out
