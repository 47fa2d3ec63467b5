"""server.pings.queries.insert_many: a large batch goes by binary COPY through the session's
staging table, a small one as arrays; both store exactly the same rows and skip the same
duplicates, and a refused batch leaves nothing behind (the writer then bisects it)."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from server.pings import queries as pings
from server.sql import sql
from tests.helpers.ping_columns import V, ping_columns

ROW_COLUMNS = (
    "source, seq, extract(epoch FROM ts) AS t, extract(epoch FROM received_at) AS rt, "
    "ST_X(geog::geometry) AS lon, ST_Y(geog::geometry) AS lat, acc, alt, spd, hdg, bat, cell, "
    "polling_station_id, neighbourhood_id, district_id, low_accuracy"
)


async def _rows(c: asyncpg.Connection, campaign_id: int, volunteer: int) -> list[tuple]:
    found = await c.fetch(
        f"SELECT {ROW_COLUMNS} FROM pings WHERE campaign_id = $1 AND volunteer_id = $2 ORDER BY seq",
        campaign_id,
        volunteer,
    )
    return [tuple(r) for r in found]


@pytest.fixture
async def db(pool, campaign):
    async with pool.acquire() as c:
        today = dt.datetime.now(dt.UTC).date()
        await pings.ensure_partitions(c, today - dt.timedelta(days=1), today)
        yield c, campaign["id"]


async def test_a_large_batch_stores_what_the_array_statement_stores(db):
    c, cid = db
    n = pings.COPY_MIN_ROWS + 100
    await pings.insert_many(c, ping_columns(cid, V + 1, range(1, n + 1)))  # staged COPY
    await c.execute(sql("pings/insert_many"), *ping_columns(cid, V + 2, range(1, n + 1)))  # arrays
    staged, arrays = await _rows(c, cid, V + 1), await _rows(c, cid, V + 2)
    assert len(staged) == n
    assert staged == arrays
    # The conversions did happen: NULLs kept, -1 ids as NULL, positions as given.
    assert sum(r[7] is None for r in staged) == sum(1 for s in range(1, n + 1) if s % 3)
    assert sum(r[12] is None for r in staged) == sum(1 for s in range(1, n + 1) if s % 6 == 0)
    assert all(r[15] == (r[1] % 7 == 0) for r in staged)
    assert await c.fetchval("SELECT count(*) FROM ping_stage") == 0  # emptied at the commit


async def test_a_large_resent_batch_stores_only_its_new_pings(db):
    c, cid = db
    n = pings.COPY_MIN_ROWS
    await pings.insert_many(c, ping_columns(cid, V + 3, range(1, n + 1)))
    # The same pings again with 50 new ones, and the batch holding a ping twice.
    again = ping_columns(cid, V + 3, range(1, n + 51))
    for col in again:
        col.append(col[0])
    assert await pings.insert_many(c, again) == "INSERT 0 50"
    assert len(await _rows(c, cid, V + 3)) == n + 50


async def test_small_and_large_batches_see_each_others_pings_as_duplicates(db):
    c, cid = db
    await pings.insert_many(c, ping_columns(cid, V + 4, range(1, 11)))  # arrays
    big = ping_columns(cid, V + 4, range(1, pings.COPY_MIN_ROWS + 1))
    assert await pings.insert_many(c, big) == f"INSERT 0 {pings.COPY_MIN_ROWS - 10}"


async def test_a_refused_large_batch_leaves_nothing_and_the_connection_works(db):
    c, cid = db
    bad = ping_columns(cid, V + 5, range(1, pings.COPY_MIN_ROWS + 1))
    bad[2][-1] = "carrier-pigeon"  # refused by the table's CHECK on source
    with pytest.raises(asyncpg.CheckViolationError):
        await pings.insert_many(c, bad)
    assert await _rows(c, cid, V + 5) == []
    assert await c.fetchval("SELECT count(*) FROM ping_stage") == 0
    good = ping_columns(cid, V + 5, range(1, pings.COPY_MIN_ROWS + 1))
    await pings.insert_many(c, good)
    assert len(await _rows(c, cid, V + 5)) == pings.COPY_MIN_ROWS
