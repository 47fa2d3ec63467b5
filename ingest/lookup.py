"""Where a ping is: its H3 cell and the areas (polling station, neighbourhood, district) that
cover it, for many pings at once. Used by the pipeline's tick; never awaits on the hot path."""

from __future__ import annotations

import asyncio
import logging
import time

import asyncpg
import numpy as np
from h3.api import basic_int as h3i

from server.areas.index_cache import AreaIndexCache
from server.pings import queries

try:  # vectorised H3 (Rust h3o); the scalar h3 API is the fallback
    from h3ronpy.vector import coordinates_to_cells as _ll2cells
except ImportError:  # pragma: no cover
    _ll2cells = None

log = logging.getLogger("ingest.lookup")

CELL_RES = 11
_cell = h3i.latlng_to_cell
# Below this many pings a tick, scalar H3 beats the numpy/arrow call overhead.
_VECTOR_MIN = 16


def cells_of(lats: list[float], lons: list[float]) -> list[int]:
    """H3 res-11 cells of many points (ints)."""
    if _ll2cells is not None and len(lats) >= _VECTOR_MIN:
        return np.asarray(_ll2cells(np.asarray(lats, np.float64), np.asarray(lons, np.float64), CELL_RES)).tolist()
    return [_cell(a, b, CELL_RES) for a, b in zip(lats, lons)]


class AreaLookup:
    """Points -> polling-station, neighbourhood and district ids from AreaIndexCache, plus the
    id -> code map the live delta needs. The hot path never awaits: a stale entry triggers one
    background refresh (AreaIndexCache.get rechecks the areas' version)."""

    LEVELS = ("polling_station", "neighbourhood", "district")

    def __init__(self, cache: AreaIndexCache, pool: asyncpg.Pool, recheck_s: float = 5.0) -> None:
        self._cache, self._pool, self._recheck_s = cache, pool, recheck_s
        self._entries: dict[int, tuple[object, dict[int, str]]] = {}
        self._checked: dict[int, float] = {}
        self._tasks: dict[int, asyncio.Task] = {}

    async def warm(self, campaign_id: int) -> None:
        if campaign_id not in self._entries:
            await self._refresh(campaign_id)

    async def _refresh(self, campaign_id: int) -> None:
        self._checked[campaign_id] = time.monotonic()
        try:
            index = await self._cache.get(campaign_id)
            entry = self._entries.get(campaign_id)
            if entry is None or entry[0] is not index:
                async with self._pool.acquire(timeout=5) as conn:
                    codes = await queries.area_codes(conn, campaign_id)
                self._entries[campaign_id] = (index, codes)
        except Exception as exc:  # noqa: BLE001 - database down: keep what we have
            log.warning("area index of campaign %s not refreshed: %s: %s", campaign_id, type(exc).__name__, exc)
            self._entries.setdefault(campaign_id, (None, {}))

    def _entry(self, campaign_id: int) -> tuple[object, dict[int, str]]:
        if time.monotonic() - self._checked.get(campaign_id, 0.0) > self._recheck_s:
            task = self._tasks.get(campaign_id)
            if task is None or task.done():
                self._checked[campaign_id] = time.monotonic()
                self._tasks[campaign_id] = asyncio.get_running_loop().create_task(self._refresh(campaign_id))
        return self._entries.get(campaign_id) or (None, {})

    def codes(self, campaign_id: int) -> dict[int, str]:
        return (self._entries.get(campaign_id) or (None, {}))[1]

    def locate_many(self, campaign_id: int, lons: list[float], lats: list[float]) -> tuple[list, list, list]:
        """(ps ids, nb ids, ds ids), -1 where no area covers the point."""
        index = self._entry(campaign_id)[0]
        n = len(lons)
        if index is None or not n:  # distinct lists: the writer extends them in place
            return [-1] * n, [-1] * n, [-1] * n
        if n < _VECTOR_MIN:  # numpy's fixed cost is larger than a few scalar lookups
            ps, nb, ds = [], [], []
            for lon, lat in zip(lons, lats):
                found = index.locate(lon, lat)
                v = found.get("polling_station")
                ps.append(-1 if v is None else v)
                v = found.get("neighbourhood")
                nb.append(-1 if v is None else v)
                v = found.get("district")
                ds.append(-1 if v is None else v)
            return ps, nb, ds
        found = index.locate_many(lons, lats)
        out = []
        for level in self.LEVELS:
            a = found.get(level)
            out.append([-1] * n if a is None else a.tolist())
        return out[0], out[1], out[2]
