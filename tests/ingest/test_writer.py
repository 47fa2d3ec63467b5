"""ingest.writer.BatchWriter against the real database: a batch holding one row PostgreSQL
refuses stores every other row and acks them, and refuses only that one, whether the batch
went by staged COPY or as arrays (server/pings/queries.insert_many)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from ingest.writer import BatchWriter
from server.pings import queries as pings
from tests.helpers.ping_columns import ping_columns


@pytest.mark.parametrize("rows", [40, pings.COPY_MIN_ROWS + 140])
async def test_one_refused_row_is_isolated_and_the_rest_stored_and_acked(pool, campaign, rows):
    cid = campaign["id"]
    async with pool.acquire() as c:
        today = dt.datetime.now(dt.UTC).date()
        await pings.ensure_partitions(c, today - dt.timedelta(days=1), today)
    # The identity (volunteer, time, source, seq) spans campaigns: a volunteer id of its own.
    columns = ping_columns(cid, 9_100_000 + rows, range(1, rows + 1))
    bad_seq = rows // 3
    columns[2][bad_seq - 1] = "carrier-pigeon"  # refused by the table's CHECK on source
    seqs = list(range(1, rows + 1))
    heard: dict[bool, list[int]] = {True: [], False: []}
    done = asyncio.Event()

    def sink(acked: list[int], ok: bool) -> None:
        heard[ok].extend(acked)
        if len(heard[True]) + len(heard[False]) == rows:
            done.set()

    writer = BatchWriter(pool, batch_max=5000, batch_wait_s=0.01, queue_max=10_000, retention_days=30)
    writer.hold(rows)
    writer.hold(-rows)  # as the pipeline does: held at admission, counted by submit_columns
    writer.submit_columns(columns, rows, [(sink, seqs, 0, rows)])
    task = asyncio.create_task(writer.run())
    try:
        await asyncio.wait_for(done.wait(), 30)
    finally:
        task.cancel()
    assert heard[False] == [bad_seq]
    assert sorted(heard[True]) == [s for s in seqs if s != bad_seq]
    async with pool.acquire() as c:
        stored = await c.fetch("SELECT seq FROM pings WHERE campaign_id = $1 ORDER BY seq", cid)
    assert [r["seq"] for r in stored] == [s for s in seqs if s != bad_seq]
