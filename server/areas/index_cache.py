"""One in-memory AreaIndex per campaign, rebuilt when the campaign's areas change.

The version check is one cheap query, made at most every `recheck_s` seconds per campaign, so
the per-ping path normally touches no database at all.
"""

from __future__ import annotations

import asyncio
import time

import asyncpg

from server.areas.index import AreaIndex, IndexedArea
from server.sql import sql


class AreaIndexCache:
    def __init__(self, pool: asyncpg.Pool, recheck_s: float = 5.0) -> None:
        self._pool = pool
        self._recheck_s = recheck_s
        self._entries: dict[int, tuple[tuple, float, AreaIndex]] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    async def get(self, campaign_id: int) -> AreaIndex:
        entry = self._entries.get(campaign_id)
        if entry and time.monotonic() - entry[1] < self._recheck_s:
            return entry[2]
        lock = self._locks.setdefault(campaign_id, asyncio.Lock())
        async with lock:
            entry = self._entries.get(campaign_id)
            if entry and time.monotonic() - entry[1] < self._recheck_s:
                return entry[2]
            async with self._pool.acquire() as conn:
                version = tuple(await conn.fetchrow(sql("areas/version"), campaign_id))
                if entry and entry[0] == version:
                    index = entry[2]
                else:
                    rows = await conn.fetch(sql("areas/for_index"), campaign_id)
                    areas = [IndexedArea(r["id"], r["level"], r["code"], r["geom"]) for r in rows]
                    # Building takes seconds for a city: keep the event loop free meanwhile.
                    index = await asyncio.to_thread(AreaIndex.build, areas)
            self._entries[campaign_id] = (version, time.monotonic(), index)
            return index
