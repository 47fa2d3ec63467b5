"""Frames as the pipeline handles them: what a tick works on, how long a tick gathers them,
and each frame's pings in the order the store and the zones expect."""

from __future__ import annotations

import asyncio
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


async def gather_more(inbox: list, tick_s: float, gap_s: float) -> None:
    """Wait up to `tick_s` for more frames in `inbox`, in steps of `gap_s`, and stop at the
    first step that brought none. Phones on the websocket send without waiting for their acks,
    so at load every step brings frames and a tick gathers for the whole `tick_s` (fewer,
    fuller commits). An OwnTracks or Traccar request waits for its answer before sending the
    next fix, so once every waiting request is in, waiting longer gathers nothing: it only
    delays the commit each of them waits for (docs/benchmarks.md, "App protocols").
    gap_s = 0: always the whole tick."""
    loop = asyncio.get_running_loop()
    step = gap_s if 0 < gap_s < tick_s else tick_s
    deadline = loop.time() + tick_s
    seen = len(inbox)
    while True:
        await asyncio.sleep(min(step, max(0.0, deadline - loop.time())))
        if len(inbox) == seen or loop.time() >= deadline:
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
