"""Cutting a station's doors into turfs of about N doors, compact and following streets.

The station's doors are first put in street-side walking order (server/addresses/walk.py: one
side of a street in number order, then the nearest next run), then that walk is cut into
k = ceil(doors / N) stretches of nearly equal size. Each cut is moved to the nearest boundary
between two runs (a side of a street) when one lies within a quarter of N, so that a turf rarely
stops halfway down a street side; the balance is kept within that quarter. Stretches of a walk
are compact by construction (the walk always moves to the nearest run), and follow the streets
because they are made of whole street sides. Each turf's route is its doors' walk improved by
2-opt (server/addresses/route.py), with its length against the street-side order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from server.addresses.route import route
from server.addresses.walk import Door, walk


@dataclass
class Turf:
    number: int  # 1..k within the station
    doors: list[Door]  # in route order
    route_m: float
    walk_m: float  # the same doors in street-side order

    @property
    def streets(self) -> list[str]:
        return list(dict.fromkeys(d.street for d in self.doors))


def cut_points(run_ends: list[int], total: int, k: int, size: int) -> list[int]:
    """Where to cut a walk of `total` doors into k stretches: the ideal cuts (i * total / k),
    each moved to the nearest end of a run within size / 4."""
    cuts: list[int] = []
    slack = max(1, size // 4)
    for i in range(1, k):
        ideal = round(i * total / k)
        near = [e for e in run_ends if abs(e - ideal) <= slack and (not cuts or e > cuts[-1])]
        best = min(near, key=lambda e: (abs(e - ideal), e)) if near else ideal
        if cuts and best <= cuts[-1]:
            best = cuts[-1] + 1
        cuts.append(min(best, total - 1))
    return cuts


def cut(doors: list[Door], size: int) -> list[Turf]:
    """The station's doors in turfs of about `size` doors (at least one turf if any door)."""
    if size < 1:
        raise ValueError("a turf must have at least one door")
    stops = walk(doors)
    if not stops:
        return []
    ordered = [s.door for s in stops]
    k = max(1, math.ceil(len(ordered) / size))
    # a run ends where the next door is on another street or side
    run_ends = [
        i
        for i in range(1, len(stops))
        if (stops[i].door.street.casefold(), stops[i].side) != (stops[i - 1].door.street.casefold(), stops[i - 1].side)
    ]
    bounds = [0, *cut_points(run_ends, len(ordered), k, size), len(ordered)]
    turfs = []
    for n, (a, b) in enumerate(zip(bounds, bounds[1:]), start=1):
        doors_in = ordered[a:b]
        if not doors_in:
            continue
        routed, route_m, walk_m = route(doors_in)
        turfs.append(Turf(n, routed, route_m, walk_m))
    return turfs
