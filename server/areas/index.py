"""In-memory H3 point-to-area index for the per-ping hot path.

Answers "which area of each level covers (lon, lat)?" exactly like PostGIS
``SELECT id FROM areas WHERE level=$1 AND ST_Covers(geom, pt) ORDER BY id LIMIT 1``
(planar lon/lat, boundary counts as inside, lowest id wins), without a database
round trip per GPS ping.

Design, per level:
  * coarse dict  {res-coarse cell -> area id | boundary tuple}
  * fine dict    {res-fine cell   -> area id | boundary tuple}, only around boundary
                 coarse cells.
A cell maps to an id when the lowest-id area touching the cell covers it whole
(then every point H3 assigns to the cell has that answer). Otherwise it maps to a
"boundary tuple" of (prepared geometry, id) candidates in id order, tested exactly.
A cell absent from the coarse dict touches no area: the answer is None.

H3 is not geometrically nested (a fine cell's parent need not contain the point),
so each resolution's cell is computed from the point itself, never via parents.
A cell is classified by its planar lon/lat hexagon grown by _EPS degrees: H3's
true edges are great-circle arcs whose deviation from the straight lon/lat chord
is ~1 mm at res 9, far below _EPS (~7-11 cm), so the grown hexagon holds every
point that H3 assigns to the cell.
"""
from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

import h3
import numpy as np
import shapely
from h3.api import basic_int as h3i

_EPS = 1e-6  # degrees; see module docstring
_SAFETY = 3.0  # candidate buffer, in average edge lengths (a cell's circumradius == its edge)
_M_PER_DEG = 111_320.0
_ll2cell = h3i.latlng_to_cell
_covers_xy = shapely.intersects_xy  # for a point, intersects == covers; no Point object needed


@dataclass(frozen=True)
class IndexedArea:
    id: int  # database id
    level: str  # 'district' | 'neighbourhood' | 'polling_station'
    code: str
    geom: shapely.Geometry  # Polygon or MultiPolygon, lon/lat


def _polyfill(geoms: np.ndarray, res: int) -> np.ndarray:
    out = [np.asarray(h3i.geo_to_cells(g, res), dtype=np.uint64) for g in geoms]
    return np.unique(np.concatenate(out)) if out else np.empty(0, np.uint64)


def _cell_polygons(cells: np.ndarray) -> np.ndarray:
    """Planar lon/lat polygons of cells, each edge pushed out by >= _EPS degrees."""
    bounds = [h3i.cell_to_boundary(c) for c in cells.tolist()]
    polys = np.empty(len(bounds), dtype=object)
    six = np.fromiter((len(b) == 6 for b in bounds), bool, len(bounds))
    if six.any():  # the common case, vectorised: scale each convex hexagon about its centroid
        ll = np.array([b for b, s in zip(bounds, six) if s], dtype=np.float64)[:, :, ::-1]
        ctr = ll.mean(axis=1, keepdims=True)
        e = np.roll(ll, -1, axis=1) - ll
        r = ctr - ll
        apothem = np.abs(e[..., 0] * r[..., 1] - e[..., 1] * r[..., 0]) / np.hypot(e[..., 0], e[..., 1])
        scale = 1.0 + _EPS / apothem.min(axis=1)
        ll = ctr + (ll - ctr) * scale[:, None, None]
        polys[six] = shapely.polygons(ll)
    for i in np.flatnonzero(~six):  # pentagons / face-crossing cells: rare, use a true buffer
        polys[i] = shapely.Polygon([(x, y) for y, x in bounds[i]]).buffer(_EPS, quad_segs=2)
    return polys


_EMPTY = -2  # code of a fine cell that touches no area (stored, so no fallback is needed)


def _classify(polys: np.ndarray, geoms: np.ndarray, groups: dict) -> np.ndarray:
    """Code per cell polygon: >= 0 is the position (id order) of the area covering the whole
    cell, _EMPTY if no area touches it, <= -3 is boundary group -3-code (a tuple of candidate
    positions interned in `groups`)."""
    tree = shapely.STRtree(polys)
    # Query with the areas so GEOS prepares each (large) area once, not each tiny hexagon.
    a, c = tree.query(geoms, predicate="intersects")
    ca, cc = tree.query(geoms, predicate="covers")
    order = np.lexsort((a, c))
    a, c = a[order], c[order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]]) if len(c) else np.empty(0, int)
    first_a, first_c = a[starts], c[starts]
    # Interior iff the lowest-position area that touches the cell covers it: any other area
    # covering a point of the cell also touches the cell, hence has a higher id.
    n = len(geoms)
    interior = np.isin(first_c.astype(np.int64) * n + first_a, cc.astype(np.int64) * n + ca)
    codes = np.full(len(polys), _EMPTY, np.int64)
    codes[first_c] = first_a
    ends = np.r_[starts[1:], len(c)]
    for k in np.flatnonzero(~interior).tolist():
        key = tuple(a[starts[k]:ends[k]].tolist())
        codes[first_c[k]] = -3 - groups.setdefault(key, len(groups))
    return codes


def _lookup(keys: np.ndarray, codes: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Vectorised dict.get: code of each query cell, -1 when absent."""
    if not len(keys):
        return np.full(len(q), -1, np.int64)
    i = np.minimum(np.searchsorted(keys, q), len(keys) - 1)
    return np.where(keys[i] == q, codes[i], -1)


def _deg(geoms: np.ndarray, metres: float) -> np.ndarray:
    """Metres -> degrees of longitude at each geometry's highest latitude: an upper bound of
    the degree-space length of any `metres`-long vector there (a lat degree is longer)."""
    b = shapely.bounds(geoms)
    lat = np.minimum(np.maximum(np.abs(b[:, 1]), np.abs(b[:, 3])) + 0.5, 89.0)
    return metres / (_M_PER_DEG * np.maximum(np.cos(np.radians(lat)), 0.01))


class _Level:
    """One level's areas (sorted: position order == id order) and lookup tables."""

    def __init__(self, name: str, areas: list[IndexedArea]):
        areas = sorted(areas, key=lambda x: x.id)
        self.name = name
        self.ids = np.array([x.id for x in areas], dtype=np.int64)
        self.geoms = np.array([x.geom for x in areas], dtype=object)
        shapely.prepare(self.geoms)
        self.groups: dict[tuple, int] = {}

    def finish(self, ck, cc, fk, fc):
        o, p = np.argsort(ck), np.argsort(fk)
        self.ckeys, self.ccodes, self.fkeys, self.fcodes = ck[o], cc[o], fk[p], fc[p]
        glist = sorted(self.groups, key=self.groups.get)
        self.gpad = np.full((max(len(glist), 1), max(map(len, glist), default=1)), -1, np.int64)
        for i, g in enumerate(glist):  # candidate positions, padded, for locate_many
            self.gpad[i, : len(g)] = g
        # Scalar dicts: interior -> Python int id, boundary -> ((prepared geom, id), ...).
        ids = self.ids.tolist()
        btup = [tuple((self.geoms[p], ids[p]) for p in g) for g in glist]

        def value(code):
            return ids[code] if code >= 0 else None if code == _EMPTY else btup[-3 - code]

        self.coarse = {k: value(v) for k, v in zip(ck.tolist(), cc.tolist())}
        self.fine = {k: value(v) for k, v in zip(fk.tolist(), fc.tolist())}

    def stats(self):
        return {
            "areas": len(self.ids),
            "coarse_cells": len(self.ckeys), "coarse_boundary": int((self.ccodes < 0).sum()),
            "fine_cells": len(self.fkeys), "fine_boundary": int((self.fcodes < 0).sum()),
            "boundary_groups": len(self.gpad),
        }


class AreaIndex:
    """Point -> area id per level; see module docstring. Immutable once built: rebuild
    (a few seconds for Paris) and swap the reference when areas change."""

    levels: tuple[str, ...]

    @classmethod
    def build(cls, areas: Iterable[IndexedArea], coarse_res: int = 9, fine_res: int = 12) -> AreaIndex:
        if not 0 <= coarse_res < fine_res <= 15:
            raise ValueError("need 0 <= coarse_res < fine_res <= 15")
        t0 = time.perf_counter()
        by_level: dict[str, list[IndexedArea]] = {}
        for a in areas:
            if a.geom is not None and not a.geom.is_empty:
                by_level.setdefault(a.level, []).append(a)
        lvls = [_Level(name, lst) for name, lst in by_level.items()]
        c_edge = h3.average_hexagon_edge_length(coarse_res, unit="m")
        f_edge = h3.average_hexagon_edge_length(fine_res, unit="m")

        # Coarse: every cell touching an area has its centre within one circumradius (== edge
        # length, < 2x the average edge anywhere) of it, so polyfilling (centre containment)
        # the areas grown by 3 average edges is a superset. Then classify exactly.
        cand = [_polyfill(shapely.buffer(lv.geoms, _deg(lv.geoms, 3 * c_edge), quad_segs=4), coarse_res)
                for lv in lvls]
        allc = np.unique(np.concatenate(cand)) if lvls else np.empty(0, np.uint64)
        cpoly = _cell_polygons(allc)
        coarse = []
        for lv, cells in zip(lvls, cand):
            codes = _classify(cpoly[np.searchsorted(allc, cells)], lv.geoms, lv.groups)
            keep = codes != _EMPTY  # absent coarse cell == no area
            coarse.append((cells[keep], codes[keep]))

        # Fine candidates: all children of the boundary coarse cells and their neighbours.
        # The point's own fine cell descends from its coarse cell or a neighbour (hierarchy
        # drift is a few fine cells, far less than a coarse cell). A miss would only fall back
        # to the coarse candidates' exact test, never give a wrong answer.
        fcand = []
        for ck, cc in coarse:
            disk = {d for c in ck[cc <= -3].tolist() for d in h3i.grid_disk(c, 1)}
            ch = [np.asarray(h3i.cell_to_children(d, fine_res), np.uint64) for d in disk]
            fcand.append(np.unique(np.concatenate(ch)) if ch else np.empty(0, np.uint64))
        allf = np.unique(np.concatenate(fcand)) if lvls else np.empty(0, np.uint64)
        ll = np.array([h3i.cell_to_latlng(c) for c in allf.tolist()], np.float64).reshape(-1, 2)
        ftree = shapely.STRtree(shapely.points(ll[:, 1], ll[:, 0]))

        # Fine, cheap pass by cell centre: a cell whose centre is farther than 2 average edges
        # (> its circumradius + _EPS, in degree space) from every boundary of the level lies
        # wholly inside or outside each area, so its centre decides. Only cells near a
        # boundary get a hexagon polygon and the exact classification.
        fcodes, near = [], []
        for lv, cells in zip(lvls, fcand):
            strips = shapely.buffer(shapely.boundary(lv.geoms), _deg(lv.geoms, 2 * f_edge), quad_segs=4)
            is_near = np.zeros(len(allf), bool)
            is_near[ftree.query(strips, predicate="intersects")[1]] = True
            a, p = ftree.query(lv.geoms, predicate="intersects")
            o = np.lexsort((a, p))
            first = o[np.r_[True, p[o][1:] != p[o][:-1]]] if len(p) else o
            code = np.full(len(allf), _EMPTY, np.int64)
            code[p[first]] = a[first]  # lowest-position area covering the centre
            fcodes.append(code)
            near.append(is_near & np.isin(allf, cells, assume_unique=True))
        any_near = np.flatnonzero(np.logical_or.reduce(near)) if lvls else np.empty(0, int)
        npoly = np.empty(len(allf), dtype=object)
        npoly[any_near] = _cell_polygons(allf[any_near])
        for lv, cells, code, nr, (ck, cc) in zip(lvls, fcand, fcodes, near, coarse):
            idx = np.flatnonzero(nr)
            code[idx] = _classify(npoly[idx], lv.geoms, lv.groups)
            mine = np.searchsorted(allf, cells)
            lv.finish(ck, cc, cells, code[mine])

        self = cls()
        self._cr, self._fr = coarse_res, fine_res
        self._levels = {lv.name: lv for lv in lvls}
        self.levels = tuple(self._levels)
        self._scalar = tuple((lv.name, lv.coarse, lv.fine) for lv in lvls)
        self._build_seconds = time.perf_counter() - t0
        return self

    def locate(self, lon: float, lat: float) -> dict[str, int | None]:
        # Hot path: one coarse H3 call shared by all levels, the fine call only if some level
        # is on a boundary there, the exact test only in fine boundary cells.
        if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):  # also rejects NaN;
            return dict.fromkeys(self.levels)  # h3 would wrap lon=362 back onto Paris
        c = _ll2cell(lat, lon, self._cr)
        f = 0
        out = {}
        for name, coarse, fine in self._scalar:
            e = coarse.get(c)
            if e.__class__ is tuple:
                if not f:
                    f = _ll2cell(lat, lon, self._fr)
                e = fine.get(f, e)  # absent fine cell: fall back to the coarse candidates
                if e.__class__ is tuple:
                    for g, i in e:
                        if _covers_xy(g, lon, lat):
                            e = i
                            break
                    else:
                        e = None
            out[name] = e
        return out

    def locate_level(self, level: str, lon: float, lat: float) -> int | None:
        lv = self._levels.get(level)
        if lv is None or not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
            return None  # a level with no areas covers nothing, like the SQL reference
        e = lv.coarse.get(_ll2cell(lat, lon, self._cr))
        if e.__class__ is tuple:
            e = lv.fine.get(_ll2cell(lat, lon, self._fr), e)
            if e.__class__ is tuple:
                for g, i in e:
                    if _covers_xy(g, lon, lat):
                        return i
                return None
        return e

    def locate_many(self, lons, lats) -> dict[str, np.ndarray]:
        """Vectorised locate: level -> int64 array of ids, -1 for none. Same tables and the
        same GEOS predicate as locate, hence identical answers."""
        x = np.asarray(lons, dtype=np.float64).ravel()
        y = np.asarray(lats, dtype=np.float64).ravel()
        if x.shape != y.shape:
            raise ValueError("lons and lats differ in length")
        ok = (x >= -180.0) & (x <= 180.0) & (y >= -90.0) & (y <= 90.0)
        cr, fr = self._cr, self._fr

        def cells(idx, res):  # h3 has no vectorised latlng_to_cell: one C call per point
            return np.fromiter((_ll2cell(b, a, res) for a, b in zip(x[idx].tolist(), y[idx].tolist())),
                               np.uint64, len(idx))

        valid = np.flatnonzero(ok)
        cc = np.zeros(len(x), np.uint64)  # 0 is no valid cell, so it is never found
        cc[valid] = cells(valid, cr)
        fc = np.zeros(len(x), np.uint64)
        have_fine = np.zeros(len(x), bool)
        out = {}
        for name, lv in self._levels.items():
            code = _lookup(lv.ckeys, lv.ccodes, cc)
            b = np.flatnonzero(code <= -3)  # coarse boundary cells
            need = b[~have_fine[b]]
            fc[need] = cells(need, fr)
            have_fine[need] = True
            fcode = _lookup(lv.fkeys, lv.fcodes, fc[b])
            code[b] = np.where(fcode == -1, code[b], fcode)  # absent fine cell: coarse candidates
            res = np.where(code >= 0, lv.ids[np.maximum(code, 0)], -1)
            # Exact tests: candidates in id order, first covering one wins.
            pts = np.flatnonzero(code <= -3)
            cand = lv.gpad[-3 - code[pts]]
            left = np.ones(len(pts), bool)
            for j in range(cand.shape[1]):
                act = np.flatnonzero(left & (cand[:, j] >= 0))
                if not len(act):
                    break
                areas_j = cand[act, j]
                o = np.argsort(areas_j, kind="stable")
                act, areas_j = act[o], areas_j[o]
                cuts = np.flatnonzero(np.r_[True, areas_j[1:] != areas_j[:-1], True])
                for s, t in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
                    sel = act[s:t]
                    p = pts[sel]
                    hit = _covers_xy(lv.geoms[areas_j[s]], x[p], y[p])
                    res[p[hit]] = lv.ids[areas_j[s]]
                    left[sel[hit]] = False
            out[name] = res
        return out

    def stats(self) -> dict:
        return {
            "coarse_res": self._cr, "fine_res": self._fr,
            "build_seconds": round(self._build_seconds, 3),
            "levels": {name: lv.stats() for name, lv in self._levels.items()},
        }
