"""A turf's route: the street-side walk (walk.py), then shortened with 2-opt.

2-opt reverses a stretch of the route whenever that makes it shorter (the classic local search
for travelling-salesman tours, here on an open path whose start is fixed: where the team stands,
or the walk's first door). Starting from the street-side walk keeps what canvassers expect (a
side of a street in number order) wherever that is already short, and only undoes the detours
the run-by-run greedy leaves, e.g. a run visited from the wrong end. Each pass scans every
(i, j) pair with numpy, one row of gains per i, so a station of a few hundred doors takes
milliseconds.
"""

from __future__ import annotations

import numpy as np

from server.addresses.walk import Door, Stop, plane_xy, walk


def path_length(xy: np.ndarray) -> float:
    return float(np.linalg.norm(np.diff(xy, axis=0), axis=1).sum()) if len(xy) > 1 else 0.0


def two_opt(xy: np.ndarray, max_passes: int = 50) -> np.ndarray:
    """An order (indices into xy) no single segment reversal can shorten; xy[0] stays first."""
    order = np.arange(len(xy))
    n = len(order)
    if n < 4:
        return order
    for _ in range(max_passes):
        improved = False
        for i in range(1, n - 1):
            p = xy[order]
            a, b = p[i - 1], p[i]
            j = np.arange(i + 1, n)
            c = p[j]
            nxt = np.minimum(j + 1, n - 1)
            d = p[nxt]
            last = j == n - 1  # reversing up to the end: no edge after the stretch
            old = np.linalg.norm(a - b) + np.where(last, 0.0, np.linalg.norm(c - d, axis=1))
            new = np.linalg.norm(c - a, axis=1) + np.where(last, 0.0, np.linalg.norm(b - d, axis=1))
            gain = old - new
            k = int(np.argmax(gain))
            if gain[k] > 1e-6:
                jj = j[k]
                order[i : jj + 1] = order[i : jj + 1][::-1]
                improved = True
        if not improved:
            break
    return order


def route(doors: list[Door], start: tuple[float, float] | None = None) -> tuple[list[Door], float, float]:
    """(doors in route order, route length m, street-side walk length m), both from `start`."""
    stops: list[Stop] = walk(doors, start)
    if not stops:
        return [], 0.0, 0.0
    walked = [s.door for s in stops]
    xy = plane_xy([(d.lon, d.lat) for d in walked])
    if start is not None:
        xy = np.vstack([plane_xy([start], ref_lat=float(np.mean([d.lat for d in walked]))), xy])
    order = two_opt(xy)
    better = [walked[k - 1] if start is not None else walked[k] for k in order if start is None or k > 0]
    return better, path_length(xy[order]), path_length(xy)
