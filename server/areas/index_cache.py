"""One in-memory AreaIndex per campaign, rebuilt when the campaign's areas change.

The version check is one cheap query, made at most every `recheck_s` seconds per campaign, so
the per-ping path normally touches no database at all. The index itself is built once per
version of the areas, by the importer (`store_index`) or else by the first process that needs
it, and stored in `area_index_blobs`: every other process (ingest workers, HQ servers, restarts)
loads it in milliseconds instead of building it for seconds before its first answer.
"""

from __future__ import annotations

import asyncio
import logging
import time

import asyncpg

from server.areas.index import AreaIndex, IndexedArea
from server.sql import sql

log = logging.getLogger("server.areas.index_cache")


def _version_key(row) -> str:
    return f"{row['n']}|{row['at'].isoformat()}|{row['ids']}"


async def _areas(conn: asyncpg.Connection, campaign_id: int) -> list[IndexedArea]:
    rows = await conn.fetch(sql("areas/for_index"), campaign_id)
    return [IndexedArea(r["id"], r["level"], r["code"], r["geom"]) for r in rows]


async def store_index(conn: asyncpg.Connection, campaign_id: int) -> AreaIndex:
    """Build the campaign's index from its areas as they are now and store it for every process
    (importers call it once their areas are in)."""
    version = _version_key(await conn.fetchrow(sql("areas/version"), campaign_id))
    areas = await _areas(conn, campaign_id)
    # Building takes seconds for a city: keep the event loop free meanwhile.
    index = await asyncio.to_thread(AreaIndex.build, areas)
    blob = await asyncio.to_thread(index.to_blob)
    await conn.execute(sql("areas/store_index_blob"), campaign_id, version, blob)
    return index


async def load_index(pool: asyncpg.Pool, campaign_id: int) -> tuple[str, AreaIndex]:
    """(areas' version, index): the stored index of this version, else built and stored."""
    async with pool.acquire() as conn:
        version = _version_key(await conn.fetchrow(sql("areas/version"), campaign_id))
        blob = await conn.fetchval(sql("areas/index_blob"), campaign_id, version)
        if blob is not None:
            areas = await _areas(conn, campaign_id)
            try:
                return version, AreaIndex.from_blob(blob, areas)
            except (ValueError, KeyError, OSError) as exc:  # areas changed between the queries
                log.info("stored area index of campaign %s not used: %s", campaign_id, exc)
        return version, await store_index(conn, campaign_id)


class AreaIndexCache:
    def __init__(self, pool: asyncpg.Pool, recheck_s: float = 5.0) -> None:
        self._pool = pool
        self._recheck_s = recheck_s
        self._entries: dict[int, tuple[str, float, AreaIndex]] = {}
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
                version = _version_key(await conn.fetchrow(sql("areas/version"), campaign_id))
            if entry and entry[0] == version:
                index = entry[2]
            else:
                version, index = await load_index(self._pool, campaign_id)
            self._entries[campaign_id] = (version, time.monotonic(), index)
            return index
