"""Migration 0017: pings keep two indexes (identity, led by volunteer and time, and the BRIN on
campaign and time) instead of five; stored pings stay, a resend is still stored once, and the
reads of one volunteer's pings still go through an index."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config

from server.cli import main as cli_main
from server.pings import queries
from server.sql import sql
from tests.conftest import _base_url, _with_db

NOW = dt.datetime.now(dt.UTC)
ROOT = Path(__file__).resolve().parents[2]


def _downgrade(url: str, revision: str) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["database_url"] = url
    command.downgrade(cfg, revision)


def _columns(volunteer: int, seqs: range) -> list[list]:
    """Rows in INSERT_COLUMNS order, near Paris's Hôtel de Ville, one second apart."""
    t0 = NOW.timestamp() - 600
    n = len(seqs)
    return [
        [1] * n,
        [volunteer] * n,
        ["ws"] * n,
        list(seqs),
        [t0 + s for s in seqs],
        [t0 * 1000 + s * 1000 for s in seqs],
        [2.3522] * n,
        [48.8566] * n,
        [5.0] * n,
        [None] * n,
        [None] * n,
        [None] * n,
        [None] * n,
        [0x8B1FB46622DCFFF] * n,
        [-1] * n,
        [-1] * n,
        [-1] * n,
        [False] * n,
    ]


async def _indexes(c: asyncpg.Connection) -> dict[str, str]:
    rows = await c.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'pings'")
    return {r["indexname"]: r["indexdef"] for r in rows}


async def test_pings_keep_two_indexes_and_their_guarantees():
    base = _base_url()
    name = f"quadriller_mig_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(_with_db(base, "postgres"))
    await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    url, before = _with_db(base, name), os.environ.get("QUADRILLER_DATABASE_URL")
    os.environ["QUADRILLER_DATABASE_URL"] = url
    try:
        assert cli_main(["db", "upgrade", "0016"]) == 0
        c = await asyncpg.connect(url)
        await queries.ensure_partitions(c, NOW.date() - dt.timedelta(days=1), NOW.date())
        assert len(await _indexes(c)) == 5
        await queries.insert_many(c, _columns(7, range(1, 301)))

        assert cli_main(["db", "upgrade"]) == 0
        indexes = await _indexes(c)
        assert sorted(indexes) == ["pings_campaign_ts", "pings_identity"]
        assert "UNIQUE" in indexes["pings_identity"]
        assert "(volunteer_id, ts, source, seq)" in indexes["pings_identity"]
        assert await c.fetchval("SELECT count(*) FROM pings") == 300

        # A resend (same volunteer, source, seq and time) is still skipped, a new seq stored.
        await queries.insert_many(c, _columns(7, range(291, 311)))
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

        _downgrade(url, "0016")
        assert len(await _indexes(c)) == 5
        await c.close()
    finally:
        if before is None:
            os.environ.pop("QUADRILLER_DATABASE_URL", None)
        else:
            os.environ["QUADRILLER_DATABASE_URL"] = before
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
