"""Turfs without addresses: a station split into H3 cells weighted by households, the cells then
grouped into contiguous turfs of about N households. Pure (shapely, h3, numpy): no I/O.

Households come from any layer of polygons (or points) with a value, as the campaign imported it
(`quadriller layers import … --value-field F`: the field mapping lives there, e.g. INSEE's 200 m
grid with `men`). A polygon's value is spread over its area: a cell gets value x (area of the
polygon inside both the cell and the station) / (area of the polygon), so the station's total is
the area-weighted sum the data's own documentation recommends. A point counts whole in its cell.

The cells are the H3 cells meeting the station, clipped to it, at the coarsest resolution (10 to
12) that gives several cells per turf. Turfs grow from k seeds spread over the station (farthest
first), the lightest turf taking next the free neighbouring cell nearest its seed, so every turf
is contiguous (H3 neighbours) and compact, and the loads stay close; a few rounds move each seed
to its turf's centre and grow again, keeping the most balanced cut. Pieces of the station out of
reach of every seed (an island) join the nearest turf.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import h3
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from server.addresses.route import path_length, two_opt
from server.addresses.walk import plane_xy

RESOLUTIONS = (10, 11, 12)
CELLS_PER_TURF = 8  # the coarsest resolution giving at least this many cells per turf
ROUNDS = 4


@dataclass
class Cell:
    h3: str
    lon: float  # the centre of the cell's part inside the station
    lat: float
    households: float


@dataclass
class CellTurf:
    number: int
    cells: list[Cell]  # in route order
    route_m: float  # through the cells' centres, improved by 2-opt
    walk_m: float  # the same cells in the order the turf grew

    @property
    def households(self) -> float:
        return sum(c.households for c in self.cells)


def _hexagon(cell: str) -> shapely.Polygon:
    return shapely.Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(cell)])


def station_cells(station: BaseGeometry, res: int) -> dict[str, BaseGeometry]:
    """The H3 cells at `res` meeting the station, each clipped to it."""
    inner: set[str] = set()
    for poly in getattr(station, "geoms", [station]):
        inner |= set(h3.geo_to_cells(poly.__geo_interface__, res))
    p = station.representative_point()
    inner.add(h3.latlng_to_cell(p.y, p.x, res))
    ring = {n for c in inner for n in h3.grid_disk(c, 1)}  # cells whose centre falls just outside
    out = {}
    for c in sorted(ring):
        part = _hexagon(c).intersection(station)
        if not part.is_empty and part.area > 0:
            out[c] = part
    return out


def households_in(parts: dict[str, BaseGeometry], features: list[tuple[BaseGeometry, float]]) -> dict[str, float]:
    """Households per cell: each polygon's value spread over its area, each point whole."""
    names = list(parts)
    geoms = [parts[c] for c in names]
    tree = shapely.STRtree(geoms)
    out = dict.fromkeys(names, 0.0)
    for geom, value in features:
        if not value:
            continue
        if geom.geom_type in ("Point", "MultiPoint"):
            for i in tree.query(geom, predicate="intersects")[:1]:
                out[names[i]] += value
            continue
        area = geom.area
        if area <= 0:
            continue
        for i in tree.query(geom, predicate="intersects"):
            out[names[i]] += value * geom.intersection(geoms[i]).area / area
    # (areas in degrees²: only ratios within one small station are taken, no projection needed)
    return out


def choose_resolution(station: BaseGeometry, turfs: int) -> tuple[int, dict[str, BaseGeometry]]:
    for res in RESOLUTIONS:
        parts = station_cells(station, res)
        if len(parts) >= CELLS_PER_TURF * turfs:
            break
    return res, parts


def _seeds(xy: np.ndarray, w: np.ndarray, k: int) -> list[int]:
    """k cells spread over the station: the heaviest first, then each the farthest from those
    chosen (among cells with households, when there are enough)."""
    pool = np.flatnonzero(w > 0) if (w > 0).sum() >= k else np.arange(len(w))
    seeds = [int(pool[np.argmax(w[pool])])]
    dist = np.linalg.norm(xy - xy[seeds[0]], axis=1)
    while len(seeds) < k:
        nxt = int(pool[np.argmax(dist[pool])])
        if nxt in seeds:
            break
        seeds.append(nxt)
        dist = np.minimum(dist, np.linalg.norm(xy - xy[nxt], axis=1))
    return seeds


def grow(xy: np.ndarray, w: np.ndarray, neighbours: list[list[int]], seeds: list[int]) -> np.ndarray:
    """Owner turf of each cell: turfs grow from their seed over neighbouring cells, the lightest
    turf first, each taking its free neighbour nearest its seed."""
    owner = np.full(len(w), -1, int)
    load = np.zeros(len(seeds))
    heaps: list[list[tuple[float, int]]] = [[] for _ in seeds]

    def take(r: int, c: int) -> None:
        owner[c] = r
        load[r] += w[c]
        for n in neighbours[c]:
            if owner[n] < 0:
                heapq.heappush(heaps[r], (float(np.linalg.norm(xy[n] - xy[seeds[r]])), n))

    for r, s in enumerate(seeds):
        take(r, s)
    while True:
        for heap in heaps:  # drop cells taken meanwhile
            while heap and owner[heap[0][1]] >= 0:
                heapq.heappop(heap)
        open_ = [r for r in range(len(seeds)) if heaps[r]]
        if not open_:
            break
        r = min(open_, key=lambda i: (load[i], i))
        take(r, heapq.heappop(heaps[r])[1])
    # islands out of every turf's reach: to the turf of the nearest cell taken
    taken = np.flatnonzero(owner >= 0)
    for c in np.flatnonzero(owner < 0):
        owner[c] = owner[taken[np.argmin(np.linalg.norm(xy[taken] - xy[c], axis=1))]]
    return owner


def _recentre(xy: np.ndarray, w: np.ndarray, owner: np.ndarray, k: int) -> list[int]:
    seeds = []
    for r in range(k):
        mine = np.flatnonzero(owner == r)
        weights = w[mine] if w[mine].sum() > 0 else np.ones(len(mine))
        centre = (xy[mine] * weights[:, None]).sum(axis=0) / weights.sum()
        seeds.append(int(mine[np.argmin(np.linalg.norm(xy[mine] - centre, axis=1))]))
    return seeds


def partition(xy: np.ndarray, w: np.ndarray, neighbours: list[list[int]], k: int) -> np.ndarray:
    """The most balanced of a few growths (largest turf's load the smallest)."""
    k = max(1, min(k, len(w)))
    seeds = _seeds(xy, w, k)
    best, best_max = None, math.inf
    for _ in range(ROUNDS):
        owner = grow(xy, w, neighbours, seeds)
        loads = np.bincount(owner, weights=w, minlength=len(seeds))
        if loads.max() < best_max:
            best, best_max = owner, float(loads.max())
        seeds = _recentre(xy, w, owner, len(seeds))
    assert best is not None
    return best


def cut_by_households(station: BaseGeometry, features: list[tuple[BaseGeometry, float]], size: float) -> list[CellTurf]:
    """The station in contiguous turfs of about `size` households (none if it has none)."""
    if size <= 0:
        raise ValueError("a turf must have some households")
    res, parts = choose_resolution(station, 1)
    total = sum(households_in(parts, features).values())
    if total <= 0:
        return []
    k = max(1, round(total / size))
    res, parts = choose_resolution(station, k)
    weight = households_in(parts, features)
    names = list(parts)
    centres = [parts[c].representative_point() for c in names]
    xy = plane_xy([(p.x, p.y) for p in centres])
    w = np.array([weight[c] for c in names])
    at = {c: i for i, c in enumerate(names)}
    neighbours = [[at[n] for n in h3.grid_disk(c, 1) if n in at and n != c] for c in names]
    owner = partition(xy, w, neighbours, k)
    turfs = []
    for number, r in enumerate(sorted(set(owner.tolist()), key=lambda r: int(np.flatnonzero(owner == r)[0])), 1):
        mine = np.flatnonzero(owner == r)
        order = two_opt(xy[mine])
        cells = [Cell(names[i], centres[i].x, centres[i].y, float(w[i])) for i in mine[order]]
        turfs.append(CellTurf(number, cells, path_length(xy[mine][order]), path_length(xy[mine])))
    return turfs
