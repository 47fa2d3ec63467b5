"""bench.ingest, main process: set-up, one phase (workers, live subscriber, server CPU from
/proc) and what limited it."""

from __future__ import annotations

import array
import math
import multiprocessing as mp
import os
import random
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import orjson

from bench.ingest_worker import worker_entry


# =============================================================================================
# Main process: set-up, phases, live subscriber, server CPU, verification, report
# =============================================================================================


@dataclass
class Prep:
    campaign_id: int
    accounts: list[tuple[int, str]]
    points: list[tuple[float, float]]
    seq_start: int


async def prepare(database_url: str, slug: str, n: int) -> Prep:
    from server.campaigns.queries import campaign_by_slug
    from server.db import connect

    from simulate.simulator import ensure_volunteers, load_stations, next_seq

    conn = await connect(database_url)
    try:
        campaign = await campaign_by_slug(conn, slug)
        stations, _ = await load_stations(conn, campaign["id"])
        if not stations:
            raise SystemExit(f"campaign {slug!r} has no areas: import some first")
        accounts = await ensure_volunteers(conn, slug, n, prefix="bench")
        seq_start = await next_seq(conn, [vid for vid, _ in accounts])
    finally:
        await conn.close()
    pts = [(s.lon, s.lat) for s in stations.values()]
    rng = random.Random(42)
    points = [pts[rng.randrange(len(pts))] for _ in range(n)]
    return Prep(campaign["id"], accounts, points, seq_start)


class LiveSubscriber(threading.Thread):
    """Times send → live delta: a raw RESP reader (hiredis) on the campaign's live channel."""

    def __init__(self, redis_url: str, channel: str, vids: set[int], seq_start: int):
        super().__init__(daemon=True)
        self.url, self.channel, self.vids, self.seq_start = redis_url, channel, vids, seq_start
        self.samples = array.array("f")
        self.deltas = 0
        self.ours = 0
        self.error: str | None = None
        self._halt = threading.Event()
        self.subscribed = threading.Event()

    def run(self) -> None:
        import hiredis

        try:
            u = urlparse(self.url)
            sock = socket.create_connection((u.hostname or "127.0.0.1", u.port or 6379), timeout=5)
            reader = hiredis.Reader()
            if u.password:
                args = [u.username, u.password] if u.username else [u.password]
                sock.sendall(_resp("AUTH", *args))
            sock.sendall(_resp("SUBSCRIBE", self.channel))
            sock.settimeout(0.2)
            loads, vids, seq0 = orjson.loads, self.vids, self.seq_start
            append = self.samples.append
            while not self._halt.is_set():
                try:
                    data = sock.recv(1 << 16)
                except TimeoutError:
                    continue
                if not data:
                    break
                now_ms = time.time() * 1000.0
                reader.feed(data)
                while (msg := reader.gets()) is not False:
                    if not isinstance(msg, list) or len(msg) < 3:
                        continue
                    if msg[0] == b"subscribe":
                        self.subscribed.set()
                        continue
                    if msg[0] != b"message":
                        continue
                    self.deltas += 1
                    try:
                        d = loads(msg[2])
                    except orjson.JSONDecodeError:
                        continue
                    if d.get("v") in vids and (d.get("seq") or 0) >= seq0:
                        self.ours += 1
                        t = d.get("t")
                        if isinstance(t, (int, float)):
                            append(now_ms - (t if t > 1e11 else t * 1000.0))
            sock.close()
        except Exception as exc:  # noqa: BLE001 - reported in the JSON, the run goes on
            self.error = repr(exc)
            self.subscribed.set()

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=2)


def _resp(*args: str) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


# -- /proc: server processes, CPU, memory ----------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def pids_listening(port: int) -> list[int]:
    """Processes holding a socket that listens on this TCP port (all uvicorn workers)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(f"socket:[{parts[9]}]")
        except OSError:
            continue
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            for fd in os.listdir(f"/proc/{entry}/fd"):
                if os.readlink(f"/proc/{entry}/fd/{fd}") in inodes:
                    pids.append(int(entry))
                    break
        except OSError:
            continue
    return sorted(pids)


def proc_cpu_s(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
        except OSError:
            continue
    return total


def proc_rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024.0, 1)


def machine_cpu() -> tuple[float, float]:
    """(busy seconds, total seconds) over all cores since boot."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return (sum(v) - idle) / CLK_TCK, sum(v) / CLK_TCK


# -- one phase ---------------------------------------------------------------------------------


def run_phase(
    name: str,
    url: str,
    prep: Prep,
    *,
    rate: float,
    seconds: float,
    workers: int,
    frame_interval: float,
    pings_per_frame: int,
    window: int,
    drain_seconds: float,
    connect_timeout: float,
    server_pids: list[int],
    live: LiveSubscriber | None = None,
) -> dict:
    n = len(prep.accounts)
    saturate = rate <= 0
    workers = max(1, min(workers, n))
    cfg = {
        "url": url,
        "saturate": saturate,
        "rate_per_volunteer": (rate / n) if n else 0,
        "frame_interval": frame_interval,
        "pings_per_frame": pings_per_frame,
        "window": window,
        "seq_start": prep.seq_start,
        "drain_seconds": drain_seconds,
        "connect_timeout": connect_timeout,
        "connect_concurrency": 64,
    }
    specs = [(vid, tok, lon, lat) for (vid, tok), (lon, lat) in zip(prep.accounts, prep.points)]
    ctx = mp.get_context("spawn")
    procs, pipes = [], []
    for i in range(workers):
        parent, child = ctx.Pipe()
        p = ctx.Process(
            target=worker_entry, args=(cfg, specs[i::workers], child), daemon=True, name=f"bench-{name}-{i}"
        )
        p.start()
        procs.append(p)
        pipes.append(parent)
    out: dict = {"phase": name, "url": url}
    try:
        connected = failed = 0
        deadline = time.monotonic() + connect_timeout * 4 + 30
        for pipe in pipes:
            if not pipe.poll(max(0.1, deadline - time.monotonic())):
                raise RuntimeError(f"{name}: workers did not connect in time")
            _, ok, bad, err = pipe.recv()
            connected += ok
            failed += bad
            if err and "connect_error" not in out:
                out["connect_error"] = err
        out.update(connected=connected, connect_failed=failed)
        if connected == 0:
            raise RuntimeError(f"{name}: no connection to {url} ({out.get('connect_error')})")
        if live is not None:
            live.start()
            live.subscribed.wait(5)
        cpu0, busy0 = proc_cpu_s(server_pids), machine_cpu()
        start = time.time() + 0.3
        for pipe in pipes:
            pipe.send(("start", start, seconds))
        time.sleep(max(0.0, start + seconds - time.time()))
        cpu_run = proc_cpu_s(server_pids) - cpu0
        busy1 = machine_cpu()
        rss = proc_rss_mb(server_pids)
        results = []
        deadline = time.monotonic() + drain_seconds + 30
        for pipe in pipes:
            if not pipe.poll(max(0.1, deadline - time.monotonic())):
                raise RuntimeError(f"{name}: a worker did not report in time")
            results.append(pipe.recv()[1])
        if live is not None:
            time.sleep(0.2)
            live.stop()
    finally:
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
                p.join(timeout=2)
    import numpy as np

    lat = np.concatenate([np.frombuffer(r["latencies"], dtype=np.float32) for r in results])
    vids = np.concatenate([np.frombuffer(r["acked_vids"], dtype=np.int64) for r in results])
    seqs = np.concatenate([np.frombuffer(r["acked_seqs"], dtype=np.int64) for r in results])
    total = {
        k: sum(r[k] for r in results)
        for k in (
            "sent",
            "sent_in_window",
            "resent",
            "frames",
            "acked",
            "acked_in_window",
            "duplicate_acks",
            "rejected",
            "unacked",
            "throttled",
            "warnings",
            "disconnects",
            "reconnects",
            "connect_failed",
        )
    }
    errors: dict[str, int] = {}
    closes: dict[str, int] = {}
    for r in results:
        for k, v in r["errors"].items():
            errors[k] = errors.get(k, 0) + v
        for k, v in r["closes"].items():
            closes[k] = closes.get(k, 0) + v
    gen_cpu = sum(r["cpu_run_s"] for r in results)
    gen_util_max = max(r["cpu_run_s"] for r in results) / seconds
    server_util = cpu_run / seconds if server_pids else None
    machine_util = (busy1[0] - busy0[0]) / max(1e-9, busy1[1] - busy0[1])
    acked_per_s = total["acked_in_window"] / seconds
    out.update(
        volunteers=n,
        workers=workers,
        seconds=seconds,
        mode="saturate" if saturate else "rate",
        rate_target=None if saturate else rate,
        pings_per_frame=pings_per_frame if saturate else round(rate / n * frame_interval, 2),
        pings_sent=total["sent"],
        pings_acked=total["acked"],
        acked_per_s=round(acked_per_s, 1),
        sent_per_s=round(total["sent_in_window"] / seconds, 1),
        frames_sent=total["frames"],
        resent=total["resent"],
        duplicate_acks=total["duplicate_acks"],
        rejected=total["rejected"],
        unacked=total["unacked"],
        throttled=total["throttled"],
        warnings=total["warnings"],
        errors=errors,
        disconnects=total["disconnects"],
        reconnects=total["reconnects"],
        closes=closes,
        ack_p50_ms=_pct(lat, 50),
        ack_p99_ms=_pct(lat, 99),
        ack_max_ms=_pct(lat, 100),
        server_pids=server_pids,
        server_cpu_s=round(cpu_run, 2) if server_pids else None,
        server_rss_mb=rss if server_pids else None,
        generator_cpu_s=round(gen_cpu, 2),
        generator_cpu_us_per_ping=round(gen_cpu / max(1, total["acked_in_window"]) * 1e6, 2),
        generator_max_lag_ms=round(max(r["max_lag_ms"] for r in results), 1),
        cpu_util={
            "generator_worker_max": round(gen_util_max, 2),
            "server": round(server_util, 2) if server_util is not None else None,
            "machine": round(machine_util, 2),
            "cores": os.cpu_count(),
        },
    )
    out["next_seq"] = max(r["next_seq"] for r in results)
    cap = sum(r["rate_cap"] for r in results)
    out["server_rate_cap_per_s"] = cap if math.isfinite(cap) and cap < 1e8 else None
    out["limited_by"] = limited_by(out, rate, gen_util_max, server_util, machine_util)
    if live is not None:
        live_lat = np.frombuffer(live.samples, dtype=np.float32) if len(live.samples) else np.array([])
        out.update(
            live_p50_ms=_pct(live_lat, 50),
            live_p99_ms=_pct(live_lat, 99),
            live_deltas_seen=live.ours,
            live_error=live.error,
        )
    out["_acked_pairs"] = (vids, seqs)
    return out


def _pct(a, q: float) -> float | None:
    import numpy as np

    return round(float(np.percentile(a, q)), 1) if len(a) else None


def limited_by(out: dict, rate: float, gen_util: float, server_util: float | None, machine_util: float) -> str:
    """Which side set the pace: the offered rate, the generator, the server, or shared CPU."""
    if rate > 0 and out["acked_per_s"] >= 0.97 * rate and out["generator_max_lag_ms"] < 1000:
        return "offered_rate"
    cap = out.get("server_rate_cap_per_s")
    if rate <= 0 and cap and out["acked_per_s"] >= 0.95 * cap:
        return "per-device rate cap announced by the server (max_pings_per_s × volunteers)"
    if out["throttled"]:
        return "server throttle (its write queue was full, or a device went over its rate)"
    if rate > 0 and out["generator_max_lag_ms"] >= 1000:
        return "generator (behind its schedule)"
    if server_util is not None and server_util >= 0.85:
        return "server (a core saturated)"
    if gen_util >= 0.85:
        return "generator (a worker core saturated)"
    if machine_util >= 0.9:
        return "machine CPU (generator and server share the cores)"
    return "server (latency or back-pressure, no core saturated)"
