"""App protocols benchmark: OwnTracks and Traccar/OsmAnd over HTTP, against a parse-only reference.

    python -m bench.apps [--volunteers 3000] [--connections 50] [--seconds 10] [--warmup 5]
        [--protocols owntracks,osmand] [--campaign paris] [--baseline-src DIR]

Prints ONE JSON line. On QUADRILLER_DATABASE_URL / QUADRILLER_REDIS_URL it makes sure the
campaign exists with Paris imported (areas and results, no addresses), makes N volunteers
(`apps-<slug>-<i>`) with fresh device tokens and an open shift, then starts, as subprocesses on
free ports:
- the ingest service (`python -m server.cli ingest`, one process, as `quadriller ingest`);
- the parse-only references (`python -m bench.apps_ref`): the same parsing and checks, nothing
  stored, under the same uvicorn configuration, as a minimal ASGI app (`parse_only`) and as
  FastAPI routes (`parse_only_fastapi`, the reference issue 13 measured);
- with --baseline-src, a second ingest service from another source tree (e.g. `git archive main`
  unpacked in a directory): before and after a change, measured in the same run.

Each (protocol, server) pair gets the same load: --connections closed-loop keep-alive connections
from a generator process of its own (bench/apps_load.py; wrk is not installed here), each request
a new fix of the next volunteer in turn, --warmup seconds unmeasured, then --seconds measured.
An ingest service is primed first (one request per volunteer: logins cached, states loaded, the
area index built), as a service that has been up for a while.
Per server: req/s, p50/p99 (ms), errors (non-200 answers and socket errors), server CPU per
request, and for an ingest service: rows stored against 200 answers (an answer 200 means
committed: `lost` must be 0) and the error lines of its log (tracebacks, Redis pool errors).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from bench.apps_load import Load, Result, generator_entry
from bench.procs import free_port, stop_process
from server.settings import PROJECT_ROOT, Settings

# What an ingest log must not hold under this load: tracebacks, Redis pool exhaustion.
LOG_ERRORS = re.compile(rb"Traceback|Exception in ASGI application|Too many connections|MaxConnectionsError")


async def prepare(database_url: str, slug: str, n: int) -> tuple[int, list[tuple[str, str]], list[int]]:
    """(campaign id, [(login, device token)], user ids): N volunteers on shift in the campaign."""
    from server.areas.queries import level_counts
    from server.auth.queries import ensure_users
    from server.auth.tokens import hash_token, new_device_token
    from server.campaigns.queries import create_campaign
    from server.db import connect
    from server.demo import import_city
    from server.errors import NotFound
    from server.shifts import queries as shift_queries
    from server.sql import sql

    conn = await connect(database_url)
    try:
        try:
            campaign = dict(await conn.fetchrow(sql("campaigns/by_slug"), slug) or {})
            if not campaign:
                raise NotFound(slug)
        except NotFound:
            campaign = dict(await create_campaign(conn, slug, f"{slug} (bench.apps)"))
        cid = campaign["id"]
        if not await level_counts(conn, cid):
            await import_city(conn, cid, skip_addresses=True)
        logins = [f"apps-{slug}-{i:05d}" for i in range(n)]
        users = await ensure_users(conn, cid, logins, [f"apps-{i:05d}" for i in range(n)], "volunteer")
        ids = [uid for uid, _ in users]
        tokens = [new_device_token() for _ in ids]
        await conn.executemany(sql("auth/set_device_token"), [(u, hash_token(t)) for u, t in zip(ids, tokens)])
        on_shift = await shift_queries.open_of_users(conn, cid, ids, 12.0)
        for uid in ids:
            if uid not in on_shift:
                await shift_queries.start(conn, cid, uid, 12.0)
        return cid, list(zip(logins, tokens)), ids
    finally:
        await conn.close()


async def rows_since(database_url: str, ids: list[int], source: str, since: float) -> int:
    from server.db import connect

    conn = await connect(database_url)
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM pings WHERE volunteer_id = ANY($1::bigint[]) AND source = $2 "
            "AND ts >= to_timestamp($3)",
            ids,
            source,
            since,
        )
    finally:
        await conn.close()


class Server:
    """A subprocess listening on a free port, its log in a file (a pipe nobody reads would
    block it once full)."""

    def __init__(self, name: str, cmd: list[str], cwd: Path, env: dict, logdir: Path) -> None:
        self.name, self.port = name, free_port()
        self.profiled = "bench.apps_profiled" in cmd
        self.log = logdir / f"{name}.log"
        self._logfile = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [*cmd, "--port", str(self.port)], cwd=cwd, env=env, stdout=self._logfile, stderr=subprocess.STDOUT
        )
        import socket

        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited: {self.log.read_bytes()[-2000:].decode(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{name} did not start")

    def cpu_s(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_errors(self) -> int:
        return len(LOG_ERRORS.findall(self.log.read_bytes()))

    def stop(self) -> None:
        stop_process(self.proc)
        self._logfile.close()


def _percentile(values, q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(q * len(s)))], 1)


def prime(server: Server, protocol: str, accounts, args) -> None:
    """One request per volunteer before measuring: logins cached, volunteers' states loaded and
    the campaign's area index built (seconds of CPU at the first fix), as in a service that has
    been up for a while. Not measured."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    load = Load("127.0.0.1", server.port, protocol, accounts, args.connections, 0.0, time.time() + 300, args.campaign)
    load.once = True
    gen = ctx.Process(target=generator_entry, args=(load, out))
    gen.start()
    out.get(timeout=330)
    gen.join(10)


def phase(server: Server, protocol: str, accounts, args, database_url: str, ids: list[int]) -> dict:
    """One measured run of `protocol` against `server`."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs_n = max(1, args.generators)
    start_at = time.time() + 1.5 + args.warmup
    end_at = start_at + args.seconds
    shares = [accounts[i::procs_n] for i in range(procs_n)]
    conns = [args.connections // procs_n + (i < args.connections % procs_n) for i in range(procs_n)]
    gens = [
        ctx.Process(
            target=generator_entry,
            args=(Load("127.0.0.1", server.port, protocol, share, c, start_at, end_at, args.campaign), out),
        )
        for share, c in zip(shares, conns)
    ]
    errors_before = server.log_errors()
    since = time.time()
    for g in gens:
        g.start()
    time.sleep(max(0.0, start_at - time.time()))
    cpu0 = server.cpu_s()
    if server.profiled:
        server.proc.send_signal(signal.SIGUSR1)
    time.sleep(max(0.0, end_at - time.time()))
    cpu1 = server.cpu_s()
    if server.profiled:
        server.proc.send_signal(signal.SIGUSR2)
    parts: list[tuple[Result, float]] = [out.get(timeout=60) for _ in gens]
    for g in gens:
        g.join(10)
    lat = [x for r, _ in parts for x in r.latencies_ms]
    statuses: dict[int, int] = {}
    for r, _ in parts:
        for k, v in r.statuses.items():
            statuses[k] = statuses.get(k, 0) + v
    requests = sum(r.requests for r, _ in parts)
    ok = sum(r.ok for r, _ in parts)
    report = {
        "req_per_s": round(requests / args.seconds, 1),
        "p50_ms": _percentile(lat, 0.50),
        "p99_ms": _percentile(lat, 0.99),
        "requests": requests,
        "errors": requests - ok + sum(r.socket_errors for r, _ in parts),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_cpu_ms_per_req": round(1000 * (cpu1 - cpu0) / max(1, requests), 3),
        "generator_cpu_s": round(sum(c for _, c in parts), 2),
    }
    if not server.name.startswith("parse_only"):
        time.sleep(0.5)  # answered means committed; the count below needs no wait, this is margin
        answered = sum(r.all_stored_hint for r, _ in parts)
        stored = asyncio.run(rows_since(database_url, ids, protocol, since))
        report.update(answered_stored=answered, rows_stored=stored, lost=max(0, answered - stored))
        report["log_errors"] = server.log_errors() - errors_before
    return report


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.apps", description=__doc__.splitlines()[0])
    p.add_argument("--volunteers", type=int, default=3000)
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each run (after priming)")
    p.add_argument("--protocols", default="owntracks,osmand")
    p.add_argument("--campaign", default="paris")
    p.add_argument("--generators", type=int, default=1, help="load-generator processes")
    p.add_argument("--baseline-src", type=Path, help="also measure an ingest service run from this source tree")
    p.add_argument("--profile", type=Path, help="run the ingest service under cProfile, its stats to this file")
    args = p.parse_args(argv)
    settings = Settings()
    report: dict = {
        "bench": "apps",
        "volunteers": args.volunteers,
        "connections": args.connections,
        "seconds": args.seconds,
        "generator": "bench.apps_load (Python, uvloop, raw HTTP/1.1 keep-alive)",
        "uptime_before": uptime(),
    }
    _, accounts, ids = asyncio.run(prepare(settings.database_url, args.campaign, args.volunteers))
    env = dict(os.environ, QUADRILLER_DATABASE_URL=settings.database_url, QUADRILLER_REDIS_URL=settings.redis_url)
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="bench-apps-") as tmp:
        logdir = Path(tmp)
        try:
            ref = [sys.executable, "-m", "bench.apps_ref"]
            servers.append(Server("parse_only", ref, PROJECT_ROOT, env, logdir))
            servers.append(Server("parse_only_fastapi", [*ref, "--fastapi"], PROJECT_ROOT, env, logdir))
            ingest_cmd = [sys.executable, "-m", "server.cli", "ingest"]
            profiled = [sys.executable, "-m", "bench.apps_profiled", str(args.profile), "ingest"]
            servers.append(Server("ingest", profiled if args.profile else ingest_cmd, PROJECT_ROOT, env, logdir))
            if args.baseline_src:
                src = args.baseline_src.resolve()
                benv = dict(env, PYTHONPATH=str(src))
                servers.append(Server("baseline", ingest_cmd, src, benv, logdir))
            for protocol in args.protocols.split(","):
                for s in servers[2:]:
                    prime(s, protocol, accounts, args)
                runs = {s.name: phase(s, protocol, accounts, args, settings.database_url, ids) for s in servers}
                ceiling = runs["parse_only"]["req_per_s"] or 1.0
                ceiling_fastapi = runs["parse_only_fastapi"]["req_per_s"] or 1.0
                for name in ("ingest", "baseline"):
                    if name in runs:
                        runs[name]["ratio_to_parse_only"] = round(runs[name]["req_per_s"] / ceiling, 3)
                        runs[name]["ratio_to_parse_only_fastapi"] = round(runs[name]["req_per_s"] / ceiling_fastapi, 3)
                report[protocol] = runs
        finally:
            for s in servers:
                s.stop()
    report["uptime_after"] = uptime()
    print(orjson.dumps(report).decode(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
