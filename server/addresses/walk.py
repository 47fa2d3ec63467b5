"""A walking order for a polling station's doors, the way canvassers walk a street.

Addresses are grouped into runs: one side of one street (odd or even numbers, as French and most
European streets are numbered), in number order. The walk then goes from where the team stands
to the nearest end of the nearest run, walks it to its other end, and repeats. Finishing one side
of a street leaves the walker at the near end of the other side, so a street is done up one side
and down the other without being told to. Greedy on runs, not on single doors: a door-level
nearest-neighbour zigzags across the road and skips numbers, which no canvasser would follow.

Distances are straight lines on a local flat projection (metres): streets are not in the
database, and at the scale of a polling station (a few hundred metres) the order is what
matters, not the exact length.
"""

from __future__ import annotations

import numpy as np

import math
import re
from dataclasses import dataclass

WALK_M_PER_MIN = 75.0  # 4.5 km/h
_NUMBER = re.compile(r"^\s*(\d+)\s*(.*)$")


@dataclass(frozen=True)
class Door:
    id: int
    number: str
    street: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Stop:
    door: Door
    side: str | None  # "odd", "even", or None when the number has no digits
    leg_m: float  # from the previous stop (or the start)


def _sort_key(number: str) -> tuple[int, str]:
    m = _NUMBER.match(number)
    return (int(m.group(1)), m.group(2).strip().lower()) if m else (10**9, number.lower())


def _side(number: str) -> str | None:
    m = _NUMBER.match(number)
    return None if not m else ("odd" if int(m.group(1)) % 2 else "even")


class _Plane:
    """Equirectangular projection around a reference latitude: metres, good to a few parts per
    thousand over a neighbourhood."""

    def __init__(self, lat0: float) -> None:
        self.kx = math.cos(math.radians(lat0)) * 111_320.0
        self.ky = 110_540.0

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return lon * self.kx, lat * self.ky


def plane_xy(points: list[tuple[float, float]], ref_lat: float | None = None) -> np.ndarray:
    """(lon, lat) points as metres on the _Plane around ref_lat (default: their mean latitude)."""

    lat0 = ref_lat if ref_lat is not None else sum(p[1] for p in points) / len(points)
    plane = _Plane(lat0)
    return np.array([plane.xy(lon, lat) for lon, lat in points], float).reshape(-1, 2)


def runs(doors: list[Door]) -> list[list[Door]]:
    """Doors grouped by street and side, each run in number order."""
    groups: dict[tuple[str, str | None], list[Door]] = {}
    for d in doors:
        groups.setdefault((d.street.casefold(), _side(d.number)), []).append(d)
    return [sorted(g, key=lambda d: _sort_key(d.number)) for _, g in sorted(groups.items(), key=lambda kv: str(kv[0]))]


def walk(doors: list[Door], start: tuple[float, float] | None = None) -> list[Stop]:
    """Every door once, in walking order, from `start` (lon, lat) or from the first run."""
    if not doors:
        return []
    plane = _Plane(sum(d.lat for d in doors) / len(doors))
    todo = runs(doors)
    pts = [[plane.xy(d.lon, d.lat) for d in run] for run in todo]
    here = plane.xy(*start) if start else pts[0][0]
    left = set(range(len(todo)))
    out: list[Stop] = []
    while left:
        best, best_d, reverse = -1, math.inf, False
        for i in left:
            a, b = pts[i][0], pts[i][-1]
            da = math.dist(here, a)
            db = math.dist(here, b)
            if da < best_d or (da == best_d and i < best):
                best, best_d, reverse = i, da, False
            if db < best_d:
                best, best_d, reverse = i, db, True
        left.discard(best)
        order = range(len(todo[best]) - 1, -1, -1) if reverse else range(len(todo[best]))
        for k in order:
            p = pts[best][k]
            door = todo[best][k]
            out.append(Stop(door, _side(door.number), math.dist(here, p)))
            here = p
    return out


def length_m(doors: list[Door], start: tuple[float, float] | None = None) -> float:
    """The length of visiting `doors` in the given order (for comparisons)."""
    if not doors:
        return 0.0
    plane = _Plane(sum(d.lat for d in doors) / len(doors))
    pts = [plane.xy(d.lon, d.lat) for d in doors]
    total = math.dist(plane.xy(*start), pts[0]) if start else 0.0
    return total + sum(math.dist(a, b) for a, b in zip(pts, pts[1:]))
