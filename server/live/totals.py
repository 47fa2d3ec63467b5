"""Campaign-wide counts for viewers that sent a view (viewport scoping).

Such a viewer holds volunteers one by one only near its view and hex counts for the rest, so its
own store cannot tell how many volunteers are live or stale, or how many stations have someone:
HQ's panel would show the figures of the view instead of the campaign's. The hub counts them
from the states it keeps anyway, once per aggregation, within the viewer's district or team, and
sends them only when they change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

import orjson

from server.live.frames import VState


class Totals(NamedTuple):
    live: int  # with a recent ping
    stale: int  # on the map, but silent for live_stale_after_s
    stations: int  # distinct stations where a live volunteer is inside the area

    def text(self, t: int) -> str:
        return orjson.dumps(
            {"type": "totals", "t": t, "live": self.live, "stale": self.stale, "stations": self.stations}
        ).decode()


def count_totals(states: Iterable[VState], stale: set[int], admits: Callable[[VState], bool]) -> Totals:
    """The same rule as the HQ store's own counters (web/src/livestore.ts, stats())."""
    live = silent = 0
    stations: set[str] = set()
    for st in states:
        if not admits(st):
            continue
        if st.v in stale:
            silent += 1
            continue
        live += 1
        if st.ps and st.zone != "out":
            stations.add(st.ps)
    return Totals(live, silent, len(stations))
