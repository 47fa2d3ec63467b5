"""Connections and memory: N idle-but-alive volunteer websockets on `quadriller ingest`.

    python -m bench.connections --connections 20000 [--ingest-workers 2] [--generators 2]
        [--interval 30] [--hold 35] [--deflate-ab] [--before-root DIR]

Uses QUADRILLER_DATABASE_URL and QUADRILLER_REDIS_URL. Imports Paris (three levels and
results, as the demo does, without addresses) into a fresh campaign with N volunteers on shift,
starts `quadriller ingest --workers W` (one process per core, as the README says) on a free
port, and measures, per phase:
- `rss_mb_at_rest`: every ingest process (the supervisor and its workers), started, nothing
  connected; `pss_mb_*` counts pages shared between the forked workers once;
- `first_ready_s`: a volunteer of another fresh Paris campaign, from the TCP connect to the
  `ready` frame: what the first volunteer of a campaign waits for its area index;
- `rss_mb`, `rss_kb_per_connection` with N authenticated websockets open, each sending one
  ping per `--interval` seconds for `--hold` seconds, and the ack p99 of those pings.
The generators (bench/connections_client.py) offer permessage-deflate, as browsers do.
`--deflate-ab` runs a second phase with the server's permessage-deflate turned on
(QUADRILLER_INGEST_WS_DEFLATE=true); `--before-root DIR` a phase with the ingest of another
source tree (e.g. `git archive main | tar -x -C DIR`), for before/after in one run.
Prints ONE JSON line; the campaigns are removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import sys
import time
import uuid

import orjson
import websockets

from bench.connections_client import generator_entry, raise_nofile
from bench.procs import free_port, start_process, stop_process
from server.settings import PROJECT_ROOT, Settings


async def _paris_campaign(conn, title: str, volunteers: int) -> tuple[dict, list[tuple[int, str]]]:
    from server.auth.queries import ensure_users
    from server.campaigns.queries import create_campaign
    from server.demo import import_city

    row = dict(await create_campaign(conn, f"bench-conn-{uuid.uuid4().hex[:8]}", title))
    await import_city(conn, row["id"], skip_addresses=True)
    logins = [f"{row['slug']}-{i:05d}" for i in range(volunteers)]
    accounts = await ensure_users(conn, row["id"], logins, logins, "volunteer")
    # On shift already: the websockets then only authenticate and ping.
    await conn.execute(
        "INSERT INTO shifts (campaign_id, user_id) SELECT $1, unnest($2::bigint[])",
        row["id"],
        [vid for vid, _ in accounts],
    )
    return row, accounts


async def _points(conn, campaign_id: int, n: int) -> list[tuple[float, float]]:
    rows = await conn.fetch(
        "SELECT ST_X(c) lon, ST_Y(c) lat FROM (SELECT ST_PointOnSurface(geom) c FROM areas "
        "WHERE campaign_id = $1 AND level = 'polling_station' ORDER BY id) s",
        campaign_id,
    )
    return [(rows[i % len(rows)]["lon"], rows[i % len(rows)]["lat"]) for i in range(n)]


def _tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def _memory_mb(pid: int) -> dict:
    rss = pss = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return {"rss": round(rss / 1024, 1), "pss": round(pss / 1024, 1), "processes": len(_tree(pid))}


async def _first_ready(url: str, token: str) -> float:
    t0 = time.perf_counter()
    async with websockets.connect(url, compression=None, open_timeout=120) as ws:
        await ws.send(orjson.dumps({"type": "auth", "token": token, "protocol": 1}).decode())
        while True:
            msg = orjson.loads(await asyncio.wait_for(ws.recv(), 300))
            if msg.get("type") == "ready":
                return round(time.perf_counter() - t0, 2)
            if msg.get("type") == "error":
                raise RuntimeError(f"no ready: {msg}")


def _percentile(values, q: float) -> float | None:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 1) if values else None


def _phase(name: str, args, root, env_extra: dict, ready_token: str, specs: list) -> dict:
    port = free_port()
    env = dict(os.environ, **env_extra)
    if root != PROJECT_ROOT:  # another source tree's ingest, with this venv's packages
        env["PYTHONPATH"] = str(root)
    cmd = [sys.executable, "-m", "server.cli", "ingest", "--workers", str(args.ingest_workers), "--port", str(port)]
    out: dict = {"phase": name}
    # Its log goes to a file: a pipe nobody reads fills up, and the ingest then blocks on a write.
    log = open(f"{args.log_dir}/ingest-{name}.log", "wb")  # noqa: SIM115 - closed in finally
    proc = start_process(cmd, port, "quadriller ingest", timeout=120, cwd=root, env=env, log=log)
    gens: list = []
    try:
        time.sleep(args.settle)  # every worker through its lifespan
        rest = _memory_mb(proc.pid)
        out.update(rss_mb_at_rest=rest["rss"], pss_mb_at_rest=rest["pss"], ingest_processes=rest["processes"])
        url = f"ws://127.0.0.1:{port}/ws/pings"
        out["first_ready_s"] = asyncio.run(_first_ready(url, ready_token))
        ctx = mp.get_context("spawn")
        k = args.generators
        t0 = time.monotonic()
        for g in range(k):
            parent, child = ctx.Pipe()
            cfg = {"url": url, "deflate": not args.no_client_deflate, "interval": args.interval}
            cfg.update(concurrency=args.concurrency, offset=g * 127)
            p = ctx.Process(target=generator_entry, args=(cfg, specs[g::k], child), daemon=True)
            p.start()
            gens.append((p, parent))
        hellos = [pipe.recv() for _, pipe in gens]
        out["connections"] = sum(h["connected"] for h in hellos)
        out["connect_failed"] = sum(h["failed"] for h in hellos)
        out["connect_s"] = round(time.monotonic() - t0, 1)
        for _, pipe in gens:
            pipe.send(args.hold)
        reports = [pipe.recv() for _, pipe in gens]
        mem = _memory_mb(proc.pid)  # at the end of the hold: every connection has pinged
        lat = [x for r in reports for x in memoryview(r["latencies"]).cast("f")]
        n = max(1, out["connections"])
        out.update(
            rss_mb=mem["rss"],
            pss_mb=mem["pss"],
            rss_kb_per_connection=round((mem["rss"] - rest["rss"]) * 1024 / n, 1),
            pss_kb_per_connection=round((mem["pss"] - rest["pss"]) * 1024 / n, 1),
            pings_acked=sum(r["pings_acked"] for r in reports),
            pings_unacked=sum(r["unacked"] for r in reports),
            ack_p50_ms=_percentile(lat, 0.5),
            ack_p99_ms=_percentile(lat, 0.99),
            errors=sum(r["errors"] for r in reports),
            dropped_connections=sum(r["lost"] for r in reports),
            load=[round(x, 2) for x in os.getloadavg()],
        )
        for _, pipe in gens:
            pipe.send("close")
    except Exception as exc:  # noqa: BLE001 - one JSON line, whatever happens
        out["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        for p, _ in gens:
            p.join(10)
            if p.is_alive():
                p.kill()
        stop_process(proc)
        log.close()
    return out


async def _setup(settings: Settings, n: int):
    from server.db import connect

    conn = await connect(settings.database_url)
    try:
        campaign, accounts = await _paris_campaign(conn, "bench.connections", n)
        points = await _points(conn, campaign["id"], n)
        return campaign, [(tok, lon, lat, 0) for (_, tok), (lon, lat) in zip(accounts, points)]
    finally:
        await conn.close()


async def _ready_campaign(settings: Settings) -> tuple[int, str]:
    """A fresh Paris campaign with one volunteer: nothing has built its area index yet."""
    from server.db import connect

    conn = await connect(settings.database_url)
    try:
        campaign, accounts = await _paris_campaign(conn, "bench.connections first ready", 1)
        return campaign["id"], accounts[0][1]
    finally:
        await conn.close()


async def _remove(settings: Settings, ids: list[int]) -> None:
    from server.db import connect

    conn = await connect(settings.database_url)
    try:
        await conn.execute("DELETE FROM campaigns WHERE id = ANY($1::int[])", ids)
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.connections", description=__doc__.splitlines()[0])
    p.add_argument("--connections", type=int, default=2000)
    p.add_argument("--ingest-workers", type=int, default=os.cpu_count() or 1, help="one per core, as the README says")
    p.add_argument("--generators", type=int, default=2, help="load-generator processes")
    p.add_argument("--concurrency", type=int, default=100, help="handshakes in flight per generator")
    p.add_argument("--interval", type=float, default=30.0, help="seconds between two pings of a connection")
    p.add_argument("--hold", type=float, default=35.0, help="seconds the connections stay open, pinging")
    p.add_argument("--settle", type=float, default=3.0, help="seconds after start before the memory at rest")
    p.add_argument("--deflate-ab", action="store_true", help="also a phase with the server's deflate on")
    p.add_argument("--before-root", help="also a phase with the ingest of this source tree, first")
    p.add_argument("--log-dir", default="/tmp", help="where the ingest's log goes (ingest-PHASE.log)")
    p.add_argument("--no-client-deflate", action="store_true", help="do not offer permessage-deflate")
    args = p.parse_args(argv)
    nofile = raise_nofile()
    settings = Settings()
    started = time.monotonic()
    campaign, specs = asyncio.run(_setup(settings, args.connections))
    created = [campaign["id"]]
    phases: list[tuple[str, object, dict]] = []
    if args.before_root:
        phases.append(("before", args.before_root, {}))
    phases.append(("after", PROJECT_ROOT, {}))
    if args.deflate_ab:
        phases.append(("deflate_on", PROJECT_ROOT, {"QUADRILLER_INGEST_WS_DEFLATE": "true"}))
    report: dict = {"bench": "connections", "connections_asked": args.connections, "nofile_limit": nofile}
    try:
        for name, root, env in phases:
            cid, token = asyncio.run(_ready_campaign(settings))
            created.append(cid)
            report[name] = _phase(name, args, root, env, token, specs)
            time.sleep(2.0)  # sockets closed, processes gone
    finally:
        asyncio.run(_remove(settings, created))
    head = report["after"]
    for key in ("connections", "rss_mb", "rss_kb_per_connection", "rss_mb_at_rest", "ack_p99_ms", "first_ready_s"):
        report[key] = head.get(key)
    report["uptime_load"] = [round(x, 2) for x in os.getloadavg()]
    report["wall_s"] = round(time.monotonic() - started, 1)
    print(orjson.dumps(report).decode(), flush=True)


if __name__ == "__main__":
    main()
