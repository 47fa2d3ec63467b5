"""bench.ingest: verification against PostGIS, and the reference servers' life cycle."""

from __future__ import annotations

import subprocess
import sys
import time
from urllib.parse import urlparse

import orjson

from bench.procs import free_port, start_process, stop_process


# -- database verification --------------------------------------------------------------------


async def verify(database_url: str, table: str, vids_all: list[int], seq_start: int, pairs, source: str | None) -> dict:
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        if not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", table):
            return {"rows_in_db": None, "lost": None, "duplicates_in_db": None, "db_error": f"no table {table}"}
        cols = {
            r["column_name"]
            for r in await conn.fetch("SELECT column_name FROM information_schema.columns WHERE table_name = $1", table)
        }
        src = " AND source = $3" if source and "source" in cols else ""
        args = [vids_all, seq_start] + ([source] if src else [])
        row = await conn.fetchrow(
            f"SELECT count(*) AS n, count(DISTINCT (volunteer_id, seq)) AS d FROM {table} "
            f"WHERE volunteer_id = ANY($1::bigint[]) AND seq >= $2{src}",
            *args,
        )
        vids, seqs = pairs
        async with conn.transaction():
            await conn.execute("CREATE TEMP TABLE bench_acked (v bigint, s bigint) ON COMMIT DROP")
            await conn.copy_records_to_table("bench_acked", records=zip(vids.tolist(), seqs.tolist()))
            lost = await conn.fetchval(
                f"SELECT count(*) FROM bench_acked a WHERE NOT EXISTS (SELECT 1 FROM {table} p "
                f"WHERE p.volunteer_id = a.v AND p.seq = a.s{src.replace('$3', '$1')})",
                *([source] if src else []),
            )
        return {"rows_in_db": row["n"], "lost": lost, "duplicates_in_db": row["n"] - row["d"]}
    finally:
        await conn.close()


def wait_idle(ws_url: str, timeout: float = 30.0) -> float | None:
    """Between two runs, let the ingest service write what it still holds (its /healthz
    reports `held`); best effort, None when the service has no such endpoint."""
    import urllib.request

    u = urlparse(ws_url)
    url = f"http://{u.hostname}:{u.port or 80}/healthz"
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if not orjson.loads(resp.read()).get("held"):
                    return round(time.monotonic() - started, 1)
        except Exception:  # noqa: BLE001 - no health endpoint: nothing to wait for
            return None
        time.sleep(0.25)
    return round(time.monotonic() - started, 1)


# -- reference servers ------------------------------------------------------------------------


def start_refserver(kind: str, database_url: str, workers: int = 1) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "bench.refservers", kind, "--port", str(port), "--workers", str(workers)]
    if kind == "naive":
        cmd += ["--database-url", database_url]
    return start_process(cmd, port, f"refserver {kind}"), f"ws://127.0.0.1:{port}/ws/pings"


stop_refserver = stop_process
