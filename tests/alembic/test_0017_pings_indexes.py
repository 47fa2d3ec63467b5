"""Migration 0017: pings keep two indexes (identity, led by volunteer and time, and the BRIN on
campaign and time) instead of five; stored pings stay, a resend is still stored once, and the
reads of one volunteer's pings still go through an index."""

from __future__ import annotations

import datetime as dt

import asyncpg
from alembic import command

from server.cli import alembic_config
from server.cli import main as cli_main
from server.pings import queries
from server.sql import sql
from tests.helpers.ping_columns import ping_columns

NOW = dt.datetime.now(dt.UTC)


async def _indexes(c: asyncpg.Connection) -> dict[str, str]:
    rows = await c.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'pings'")
    return {r["indexname"]: r["indexdef"] for r in rows}


async def test_pings_keep_two_indexes_and_their_guarantees(scratch_db):
    assert cli_main(["db", "upgrade", "0016"]) == 0
    c = await asyncpg.connect(scratch_db)
    await queries.ensure_partitions(c, NOW.date() - dt.timedelta(days=1), NOW.date())
    assert len(await _indexes(c)) == 5
    await queries.insert_many(c, ping_columns(1, 7, range(1, 301)))

    assert cli_main(["db", "upgrade"]) == 0
    indexes = await _indexes(c)
    assert sorted(indexes) == ["pings_campaign_ts", "pings_identity"]
    assert "UNIQUE" in indexes["pings_identity"]
    assert "(volunteer_id, ts, source, seq)" in indexes["pings_identity"]
    assert await c.fetchval("SELECT count(*) FROM pings") == 300

    # A resend (same volunteer, source, seq and time) is still skipped, a new seq stored.
    await queries.insert_many(c, ping_columns(1, 7, range(291, 311)))
    assert await c.fetchval("SELECT count(*) FROM pings") == 310

    # One volunteer's trail is read through the identity index, not by scanning the day.
    await c.execute("SET enable_seqscan = off; SET enable_bitmapscan = off")
    plan = "\n".join(
        r[0]
        for r in await c.fetch(
            "EXPLAIN " + sql("pings/trail"), 1, 7, NOW - dt.timedelta(hours=1), NOW + dt.timedelta(hours=1)
        )
    )
    assert "Index Scan" in plan and "Seq Scan" not in plan, plan

    command.downgrade(alembic_config(scratch_db), "0016")
    assert len(await _indexes(c)) == 5
    await c.close()
