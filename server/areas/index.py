"""In-memory H3 point-to-area index for the per-ping hot path.

Answers "which area of each level covers (lon, lat)?" exactly like PostGIS
``SELECT id FROM areas WHERE level=$1 AND ST_Covers(geom, pt) ORDER BY id LIMIT 1``
(planar lon/lat, boundary counts as inside, lowest id wins), without a database
round trip per GPS ping.

Two dicts, each shared by all levels (one hash lookup per resolution, not per level):
  * coarse {res-9 cell  -> entry}, every cell touching some area;
  * fine   {res-12 cell -> entry}, only around coarse cells that are boundary for a level.
An entry is a ready {level: id | None} dict when every level is decided for the whole
cell, else a tuple with per level: id, None, or a "boundary tuple" of (prepared
geometry, id) candidates in id order, tested exactly (GEOS intersects == covers for a
point). A level is decided for a cell when the lowest-id area touching the cell covers it
whole, or no area touches it. Absent coarse cell: no area at all.

H3 is not geometrically nested (a fine cell's parent need not contain the point),
so each resolution's cell is computed from the point itself, never via parents.
A cell is classified by its planar lon/lat hexagon grown by _EPS degrees: H3's
true edges are great-circle arcs whose deviation from the straight lon/lat chord
is ~1 mm at res 9, far below _EPS (~7-11 cm), so the grown hexagon holds every
point that H3 assigns to the cell.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable
from dataclasses import dataclass

import h3
import numpy as np
import shapely
from h3.api import basic_int as h3i

_EPS = 1e-6  # degrees; see module docstring
_EMPTY = -2  # cell code: no area of the level touches the cell; <= -3: boundary group -3-code
_M_PER_DEG = 111_320.0
_ll2cell = h3i.latlng_to_cell
try:  # vectorised H3 (Rust h3o) for locate_many; scalar h3 is the fallback
    from h3ronpy.vector import coordinates_to_cells as _ll2cells
except ImportError:  # pragma: no cover
    _ll2cells = None
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
        key = tuple(a[starts[k] : ends[k]].tolist())
        codes[first_c[k]] = -3 - groups.setdefault(key, len(groups))
    return codes


def _find(keys: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Vectorised dict lookup: row of each query cell in sorted `keys`, -1 when absent."""
    if not len(keys):
        return np.full(len(q), -1, np.int64)
    i = np.minimum(np.searchsorted(keys, q), len(keys) - 1)
    return np.where(keys[i] == q, i, -1)


def _deg(geoms: np.ndarray, metres: float) -> np.ndarray:
    """Metres -> degrees of longitude at each geometry's highest latitude: an upper bound of
    the degree-space length of any `metres`-long vector there (a lat degree is longer)."""
    b = shapely.bounds(geoms)
    lat = np.minimum(np.maximum(np.abs(b[:, 1]), np.abs(b[:, 3])) + 0.5, 89.0)
    return metres / (_M_PER_DEG * np.maximum(np.cos(np.radians(lat)), 0.01))


class _Level:
    """One level's areas, sorted so that position order == id order."""

    def __init__(self, name: str, areas: list[IndexedArea]):
        areas = sorted(areas, key=lambda x: x.id)
        self.name = name
        self.ids = np.array([x.id for x in areas], dtype=np.int64)
        self.geoms = np.array([x.geom for x in areas], dtype=object)
        shapely.prepare(self.geoms)
        self.groups: dict[tuple, int] = {}  # candidate positions -> group number

    def finish(self):
        glist = sorted(self.groups, key=self.groups.get)
        self.gpad = np.full((max(len(glist), 1), max(map(len, glist), default=1)), -1, np.int64)
        for i, g in enumerate(glist):  # candidate positions, padded, for locate_many
            self.gpad[i, : len(g)] = g
        ids = self.ids.tolist()
        btup = [tuple((self.geoms[p], ids[p]) for p in g) for g in glist]
        self.values = lambda c: ids[c] if c >= 0 else None if c == _EMPTY else btup[-3 - c]


class AreaIndex:
    """Point -> area id per level; see module docstring. Immutable once built: rebuild
    (seconds for Paris) and swap the reference when areas change."""

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
        nl = len(lvls)

        # Coarse: every cell touching an area has its centre within one circumradius (~ edge
        # length, < 2x the average edge anywhere) of it, so polyfilling (centre containment)
        # the areas grown by 3 average edges gives a superset. Then classify exactly.
        grown = [shapely.buffer(lv.geoms, _deg(lv.geoms, 3 * c_edge), quad_segs=4) for lv in lvls]
        ckeys = _polyfill(np.concatenate(grown) if lvls else np.empty(0, object), coarse_res)
        cpoly = _cell_polygons(ckeys)
        ccodes = np.stack([_classify(cpoly, lv.geoms, lv.groups) for lv in lvls] or [ckeys[:0]], 1)
        keep = (ccodes != _EMPTY).any(axis=1)  # absent coarse cell == no area at all
        ckeys, ccodes = ckeys[keep], ccodes[keep]

        # Fine cells: all children of the coarse cells that are boundary for some level, and of
        # their neighbours. A point's own fine cell descends from its coarse cell or a neighbour
        # (hierarchy drift is a few fine cells, far less than a coarse cell); a miss would only
        # fall back to the coarse entry's exact tests, never give a wrong answer.
        bnd = ckeys[(ccodes <= -3).any(axis=1)].tolist()
        disk = {d for c in bnd for d in h3i.grid_disk(c, 1)}
        ch = [np.asarray(h3i.cell_to_children(d, fine_res), np.uint64) for d in disk]
        fkeys = np.unique(np.concatenate(ch)) if ch else np.empty(0, np.uint64)
        ll = np.array([h3i.cell_to_latlng(c) for c in fkeys.tolist()], np.float64).reshape(-1, 2)
        ftree = shapely.STRtree(shapely.points(ll[:, 1], ll[:, 0]))

        # Fine, cheap pass by cell centre: a cell whose centre is farther than 2 average edges
        # (> its circumradius + _EPS, in degree space) from every boundary of the level lies
        # wholly inside or outside each area, so its centre decides. Only cells near a
        # boundary get a hexagon polygon and the exact classification.
        fcodes = np.full((len(fkeys), nl), _EMPTY, np.int32)  # 3 x 470k for Paris: keep small
        near = np.zeros((len(fkeys), nl), bool)
        for j, lv in enumerate(lvls):
            strips = shapely.buffer(shapely.boundary(lv.geoms), _deg(lv.geoms, 2 * f_edge), quad_segs=4)
            near[ftree.query(strips, predicate="intersects")[1], j] = True
            a, p = ftree.query(lv.geoms, predicate="intersects")
            o = np.lexsort((a, p))
            first = o[np.r_[True, p[o][1:] != p[o][:-1]]] if len(p) else o
            fcodes[p[first], j] = a[first]  # lowest-position area covering the centre
        any_near = np.flatnonzero(near.any(axis=1))
        npoly = np.empty(len(fkeys), dtype=object)
        npoly[any_near] = _cell_polygons(fkeys[any_near])
        for j, lv in enumerate(lvls):
            idx = np.flatnonzero(near[:, j])
            fcodes[idx, j] = _classify(npoly[idx], lv.geoms, lv.groups)

        return cls._assemble(lvls, coarse_res, fine_res, ckeys, ccodes, fkeys, fcodes, time.perf_counter() - t0)

    @classmethod
    def _assemble(cls, lvls, cr, fr, ckeys, ccodes, fkeys, fcodes, seconds: float) -> AreaIndex:
        self = cls()
        for lv in lvls:
            lv.finish()
        self._cr, self._fr = cr, fr
        self._levels = {lv.name: lv for lv in lvls}
        self.levels = tuple(self._levels)
        self._pos = {name: j for j, name in enumerate(self.levels)}
        self._ckeys, self._ccodes, self._fkeys, self._fcodes = ckeys, ccodes, fkeys, fcodes
        # Entries are interned per distinct row of codes. The coarse cells (about a thousand for
        # a city) get a dict for the scalar path; the fine ones (half a million for Paris) stay
        # in the sorted arrays: a dict of them held ~40 MB per campaign and per process.
        self._entries: dict[tuple, object] = {}
        self._coarse = {k: self._entry(tuple(r)) for k, r in zip(ckeys.tolist(), ccodes.tolist())}
        self._build_seconds = seconds
        return self

    def _entry(self, row: tuple):
        e = self._entries.get(row)
        if e is None:
            vals = [lv.values(c) for lv, c in zip(self._levels.values(), row)]
            e = self._entries[row] = tuple(vals) if min(row) <= -3 else dict(zip(self.levels, vals))
        return e

    def _fine(self, cell: int, default):
        """The fine entry of a cell, `default` when the cell is not in the fine table."""
        keys = self._fkeys
        i = int(keys.searchsorted(np.uint64(cell)))  # a Python int would convert the whole array
        if i < len(keys) and int(keys[i]) == cell:
            return self._entry(tuple(self._fcodes[i].tolist()))
        return default

    def to_blob(self) -> bytes:
        """The built tables, for AreaIndex.from_blob: what takes seconds to compute, without the
        geometries (the areas table has them)."""
        arrays = {"ckeys": self._ckeys, "ccodes": self._ccodes, "fkeys": self._fkeys, "fcodes": self._fcodes}
        arrays["res"] = np.array([self._cr, self._fr])
        for j, lv in enumerate(self._levels.values()):
            arrays[f"ids{j}"], arrays[f"gpad{j}"] = lv.ids, lv.gpad
        out = io.BytesIO()
        np.savez(out, levels=np.array(self.levels), **arrays)
        return out.getvalue()

    @classmethod
    def from_blob(cls, blob: bytes, areas: Iterable[IndexedArea]) -> AreaIndex:
        """The index AreaIndex.build(areas) made when it wrote `blob`: milliseconds instead of
        seconds. ValueError when the blob was not built from these areas."""
        t0 = time.perf_counter()
        z = np.load(io.BytesIO(blob), allow_pickle=False)
        by_level: dict[str, list[IndexedArea]] = {}
        for a in areas:
            if a.geom is not None and not a.geom.is_empty:
                by_level.setdefault(a.level, []).append(a)
        lvls = []
        for j, name in enumerate(z["levels"].tolist()):
            lv = _Level(name, by_level.pop(name, []))
            if not np.array_equal(lv.ids, z[f"ids{j}"]):
                raise ValueError(f"the blob's {name} areas are not these")
            for i, row in enumerate(z[f"gpad{j}"].tolist()):
                if row[0] >= 0:
                    lv.groups[tuple(x for x in row if x >= 0)] = i
            lvls.append(lv)
        if by_level:
            raise ValueError(f"levels absent from the blob: {sorted(by_level)}")
        cr, fr = z["res"].tolist()
        return cls._assemble(lvls, cr, fr, z["ckeys"], z["ccodes"], z["fkeys"], z["fcodes"], time.perf_counter() - t0)

    def locate(self, lon: float, lat: float) -> dict[str, int | None]:
        # Hot path: one coarse H3 call + dict get; the fine ones only when some level is on
        # a boundary there; shapely only in fine boundary cells.
        if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):  # also rejects NaN;
            return dict.fromkeys(self.levels)  # h3 would wrap lon=362 back onto Paris
        e = self._coarse.get(_ll2cell(lat, lon, self._cr))
        if e.__class__ is dict:
            return e.copy()
        if e is None:
            return dict.fromkeys(self.levels)
        e = self._fine(_ll2cell(lat, lon, self._fr), e)  # absent: coarse candidates
        if e.__class__ is dict:
            return e.copy()
        out = {}
        for name, v in zip(self.levels, e):
            if v.__class__ is tuple:
                for g, i in v:
                    if _covers_xy(g, lon, lat):
                        v = i
                        break
                else:
                    v = None
            out[name] = v
        return out

    def locate_level(self, level: str, lon: float, lat: float) -> int | None:
        j = self._pos.get(level)
        if j is None or not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
            return None  # a level with no areas covers nothing, like the SQL reference
        e = self._coarse.get(_ll2cell(lat, lon, self._cr))
        if e is None or e.__class__ is dict:
            return e and e[level]
        v = e[j]
        if v.__class__ is tuple:
            e = self._fine(_ll2cell(lat, lon, self._fr), e)
            v = e[level] if e.__class__ is dict else e[j]
            if v.__class__ is tuple:
                for g, i in v:
                    if _covers_xy(g, lon, lat):
                        return i
                return None
        return v

    def locate_many(self, lons, lats) -> dict[str, np.ndarray]:
        """Vectorised locate: level -> int64 array of ids, -1 for none. Same tables, same
        fallbacks and the same GEOS predicate as locate, hence identical answers."""
        x = np.asarray(lons, dtype=np.float64).ravel()
        y = np.asarray(lats, dtype=np.float64).ravel()
        if x.shape != y.shape:
            raise ValueError("lons and lats differ in length")

        def cells(idx, res):
            # h3ronpy may put a point on the boundary into the neighbouring cell where h3 would
            # not; harmless, because cells are classified with their hexagon grown by _EPS.
            if _ll2cells is not None and len(idx):
                return np.asarray(_ll2cells(y[idx], x[idx], res)).astype(np.uint64, copy=False)
            return np.fromiter(
                (_ll2cell(b, a, res) for a, b in zip(x[idx].tolist(), y[idx].tolist())), np.uint64, len(idx)
            )

        valid = np.flatnonzero((x >= -180.0) & (x <= 180.0) & (y >= -90.0) & (y <= 90.0))
        ci = np.full(len(x), -1, np.int64)
        ci[valid] = _find(self._ckeys, cells(valid, self._cr))
        codes = np.full((len(x), len(self.levels)), _EMPTY, np.int64)
        codes[ci >= 0] = self._ccodes[ci[ci >= 0]]
        b = np.flatnonzero((codes <= -3).any(axis=1))  # same rule as locate: go fine
        fi = _find(self._fkeys, cells(b, self._fr))
        codes[b[fi >= 0]] = self._fcodes[fi[fi >= 0]]
        out = {}
        for j, (name, lv) in enumerate(self._levels.items()):
            code = codes[:, j]
            res = np.where(code >= 0, lv.ids[np.maximum(code, 0)], -1)
            # Exact tests: candidates in id order, first covering one wins.
            pts = np.flatnonzero(code <= -3)
            cand = lv.gpad[-3 - code[pts]]
            left = np.ones(len(pts), bool)
            for k in range(cand.shape[1]):
                act = np.flatnonzero(left & (cand[:, k] >= 0))
                if not len(act):
                    break
                area = cand[act, k]
                o = np.argsort(area, kind="stable")
                act, area = act[o], area[o]
                cuts = np.flatnonzero(np.r_[True, area[1:] != area[:-1], True])
                for s, t in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
                    sel, p = act[s:t], pts[act[s:t]]
                    hit = _covers_xy(lv.geoms[area[s]], x[p], y[p])
                    res[p[hit]] = lv.ids[area[s]]
                    left[sel[hit]] = False
            out[name] = res
        return out

    def stats(self) -> dict:
        per = {}
        for j, name in enumerate(self.levels):
            c, f = self._ccodes[:, j], self._fcodes[:, j]
            per[name] = {
                "areas": len(self._levels[name].ids),
                "coarse_interior": int((c >= 0).sum()),
                "coarse_boundary": int((c <= -3).sum()),
                "fine_interior": int((f >= 0).sum()),
                "fine_boundary": int((f <= -3).sum()),
            }
        return {
            "coarse_res": self._cr,
            "fine_res": self._fr,
            "coarse_cells": len(self._ckeys),
            "fine_cells": len(self._fkeys),
            "build_seconds": round(self._build_seconds, 3),
            "levels": per,
        }
