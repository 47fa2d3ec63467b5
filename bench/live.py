"""Live fan-out benchmark: N HQ viewers on /ws/live while deltas flow at R per second.

    python -m bench.live --viewers 100 --rate 5000 --seconds 10 [--volunteers 500]
        [--url ws://127.0.0.1:8000/ws/live --token T --campaign SLUG --server-pid PID]
        [--ingest-url ws://127.0.0.1:8001/ws/pings]

Without --url it creates a campaign and an admin in QUADRILLER_DATABASE_URL and starts its own
server (`python -m server.cli serve`). Deltas are published on the campaign's Redis channel by a
separate process, as ingest does (PUBLISH + HSET), each stamped with "rt" = now; with
--ingest-url, volunteers' phones send real pings to the ingest service instead.
Prints ONE JSON line: frames per viewer per second, p50/p99 latency from "rt" to receipt,
bytes per viewer per second (on the wire, from every viewer), bytes per volunteer update (deltas
payload / updates, from the parsing probes), server CPU seconds. `--encoding binary` has the
viewers ask for binary deltas (server/live/binary.py). Coalescing shows as bytes per viewer that
stop growing with the rate once every volunteer changes in every frame.

Viewport scoping (server/live/viewport.py): every run splits the viewers in two, half (with
--scoped-share) sending a fixed view (--view: the 1st arrondissement at zoom 15 by default) and
the other half none, and reports both: the unscoped figures under the usual keys, the scoped ones
under "scoped". The volunteers are spread at a constant density (--density per km², 500 over
Paris's 105 km² by default) on a square centred on Paris that grows with their number, each
walking around its own spot; with --ping-every S each pings every S seconds (the rate is then
volunteers / S). So from 500 to 50,000 volunteers the campaign grows around the view, as a
campaign grows from a city to a region, and a scoped viewer's bytes should stay flat:
    python -m bench.live --viewers 20 --volunteers 50000 --ping-every 10 --encoding binary
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import math
import multiprocessing as mp
import os
import random
import sys
import time
import uuid

import orjson
import websockets

from bench.procs import free_port, start_process
from server.live.binary import decode as binary_decode
from server.live.viewport import HEX_MAGIC
from server.settings import PROJECT_ROOT, Settings


def _cpu_seconds(pid: int | None) -> float | None:
    if not pid:
        return None
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _setup(settings: Settings, volunteers_with_tokens: int) -> tuple[dict, dict, list[dict]]:
    from server.auth.queries import add_user
    from server.campaigns.queries import create_campaign
    from server.consent.queries import agree_many
    from server.consent.texts import current_version
    from server.db import connect

    conn = await connect(settings.database_url)
    try:
        slug = "bench-" + uuid.uuid4().hex[:8]
        campaign = dict(await create_campaign(conn, slug, "live bench"))
        admin = (await add_user(conn, slug, "admin", "Bench HQ")).model_dump()
        vols = []
        for i in range(volunteers_with_tokens):
            v = (await add_user(conn, slug, "volunteer", f"Bench V{i}")).model_dump()
            v["id"] = await conn.fetchval("SELECT id FROM users WHERE login = $1", v["login"])
            vols.append(v)
        # they go on shift (bench/live.py's phones), which needs consent to the location text
        await agree_many(conn, campaign["id"], [v["id"] for v in vols], current_version("location"))
        return campaign, admin, vols
    finally:
        await conn.close()


PARIS = (2.3488, 48.8534)  # Notre-Dame
LOUVRE_AT_15 = "2.3098,48.8493,2.3648,48.8719,15"  # the 1st arrondissement on a 1280 × 800 screen


def _homes(volunteers: int, density: float) -> list[tuple[float, float]]:
    """Each volunteer's spot: uniform over a square of volunteers / density km², centred on Paris."""
    side_km = math.sqrt(volunteers / density)
    dlat = side_km / 2 / 111.32
    dlon = dlat / math.cos(math.radians(PARIS[1]))
    rng = random.Random(13)
    return [(PARIS[0] + rng.uniform(-dlon, dlon), PARIS[1] + rng.uniform(-dlat, dlat)) for _ in range(volunteers + 1)]


def _state(v: int, seq: int, home: tuple[float, float], now: float) -> bytes:
    return orjson.dumps(
        {
            "type": "ping",
            "v": v,
            "team": v % 7,
            "seq": seq,
            "t": now,
            "rt": int(now * 1000),
            # walking round its spot, up to ~50 m away
            "lon": home[0] + (seq % 97 - 48) * 1e-5,
            "lat": home[1] + (seq % 89 - 44) * 1e-5,
            "acc": 8.0,
            "hdg": 90.0,
            "spd": 1.2,
            "bat": 0.8,
            "cell": "8b1fb46622dcfff",
            "ps": "75101_01",
            "nb": "75101",
            "ds": "75101",
            "zone": "in",
            "ev": None,
            "low_acc": False,
        }
    )


def _prefill(redis_url: str, campaign_id: int, volunteers: int, density: float) -> None:
    """Every volunteer's state in the hash before the viewers connect: a campaign in full swing,
    so that the measured window does not count volunteers showing up for the first time."""
    import redis

    from server.redis import volunteer_state_key

    r, homes, now = redis.Redis.from_url(redis_url), _homes(volunteers, density), time.time()
    pipe = r.pipeline(transaction=False)
    for v in range(1, volunteers + 1):
        pipe.hset(volunteer_state_key(campaign_id), str(v), _state(v, 0, homes[v], now))
    pipe.execute()


def _publisher(
    redis_url: str, campaign_id: int, rate: float, volunteers: int, density: float, seconds: float, out
) -> None:
    """Runs in its own process, so that publishing never competes with the viewers' loop."""
    import redis

    from server.redis import live_channel, volunteer_state_key

    r = redis.Redis.from_url(redis_url)
    channel, key = live_channel(campaign_id), volunteer_state_key(campaign_id)
    homes = _homes(volunteers, density)
    step, sent, seq = 0.01, 0, 0
    start = time.monotonic()
    while (elapsed := time.monotonic() - start) < seconds:
        due = int(rate * elapsed) - sent
        if due > 0:
            pipe = r.pipeline(transaction=False)
            now = time.time()
            for _ in range(due):
                seq += 1
                v = seq % volunteers + 1
                d = _state(v, seq, homes[v], now)
                pipe.publish(channel, d)
                pipe.hset(key, str(v), d)
            pipe.execute()
            sent += due
        time.sleep(step)
    out.put(sent)


async def _phones(ingest_url: str, vols: list[dict], rate: float, seconds: float) -> int:
    """Drive the real ingest: each volunteer's phone sends its share of the rate."""
    per_phone = rate / len(vols)
    sent = 0

    async def phone(vol: dict) -> None:
        nonlocal sent
        async with websockets.connect(ingest_url) as ws:
            await ws.send(orjson.dumps({"type": "auth", "token": vol["token"], "protocol": 1}).decode())
            await ws.recv()
            await ws.send('{"type":"shift","action":"start"}')  # pings are taken only on shift
            while orjson.loads(await ws.recv()).get("type") != "shift":
                pass
            drain = asyncio.create_task(_drain(ws))
            start, seq = time.monotonic(), 0
            while (elapsed := time.monotonic() - start) < seconds:
                due = int(per_phone * elapsed) - seq
                for _ in range(max(0, due)):
                    seq += 1
                    await ws.send(
                        orjson.dumps(
                            {
                                "type": "ping",
                                "seq": seq,
                                "t": time.time(),
                                "lat": 48.85 + seq / 1e5,
                                "lon": 2.35,
                                "acc": 10,
                            }
                        ).decode()
                    )
                await asyncio.sleep(0.02)
            sent += seq
            drain.cancel()

    await asyncio.gather(*(phone(v) for v in vols))
    return sent


async def _drain(ws) -> None:
    async for _ in ws:
        pass


def _auth(token: str, slug: str, encoding: str, view: dict | None) -> bytes:
    auth = {"type": "auth", "token": token, "campaign": slug, "encoding": encoding}
    return orjson.dumps({**auth, "view": view} if view else auth)


async def _view(
    url: str, token: str, slug: str, start_at: float, end_at: float, encoding: str, view: dict | None
) -> tuple[int, int, list[float], int]:
    """A viewer that parses every deltas frame: (frames, payload bytes, latencies, updates).
    Aggregate frames count in the bytes, not in the frames nor the updates."""
    frames = nbytes = updates = 0
    lags: list[float] = []
    async with websockets.connect(url, max_size=None, compression=None) as ws:
        await ws.send(_auth(token, slug, encoding, view).decode())
        while (left := end_at - time.time()) > 0:
            try:
                data = await asyncio.wait_for(ws.recv(), left)
            except TimeoutError:
                break
            now = time.time()
            rts: list[float] | None = None
            if isinstance(data, bytes) and data[:2] == HEX_MAGIC:
                pass  # aggregates
            elif isinstance(data, bytes):  # binary deltas (server/live/binary.py)
                rts = [u["rt"] for u in binary_decode(data)["updates"]]
            else:
                frame = orjson.loads(data)
                if frame["type"] not in ("deltas", "hexes"):
                    continue
                if frame["type"] == "deltas":
                    rts = [st["rt"] for st in frame["volunteers"]]
            if now < start_at:
                continue
            if rts is None:  # aggregates: bytes on the wire, not deltas
                nbytes += len(data)
                continue
            frames += 1
            nbytes += len(data)
            updates += len(rts)
            lags.extend(now * 1000 - rt for rt in rts)
    return frames, nbytes, lags, updates


async def _sink(
    port: int, token: str, slug: str, start_at: float, end_at: float, encoding: str, view: dict | None
) -> tuple[int, int, list[float], int]:
    """A viewer that reads raw bytes without parsing websocket frames or JSON: the load generator
    must be leaner than the server it measures. Latency comes from the parsing probe viewers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /ws/live HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    await reader.readuntil(b"\r\n\r\n")
    payload = _auth(token, slug, encoding, view)
    header = bytes([0x81, 0x80 | 126]) + len(payload).to_bytes(2, "big") + b"\0\0\0\0"  # zero mask
    writer.write(header + payload)
    # The snapshot (one message, JSON text) is not the live feed: skip it, however long.
    head = await reader.readexactly(2)
    size = head[1] & 0x7F
    if size >= 126:
        size = int.from_bytes(await reader.readexactly(2 if size == 126 else 8), "big")
    await reader.readexactly(size)
    nbytes = 0
    while (left := end_at - time.time()) > 0:
        try:
            chunk = await asyncio.wait_for(reader.read(1 << 20), left)
        except TimeoutError:
            break
        if not chunk:
            break
        if time.time() >= start_at:
            nbytes += len(chunk)
    writer.close()
    return 0, nbytes, [], 0


def _viewers_process(
    url: str,
    token: str,
    slug: str,
    n: int,
    probes: int,
    start_at: float,
    end_at: float,
    encoding: str,
    view: dict | None,
    spread: float,
    out,
) -> None:
    """A share of the viewers in their own process: one Python client loop cannot read 100
    sockets' worth of frames fast enough, and its own lag would be measured as the server's.
    Viewers connect at random within `spread` seconds: each snapshot reads the whole Redis hash,
    and ten 15 MB reads at once (50,000 volunteers) outlast the Redis client's 5 s timeout."""

    async def later(viewer, *a):
        await asyncio.sleep(random.uniform(0, spread))
        return await viewer(*a)

    async def main():
        port = int(url.split(":")[2].split("/")[0])
        return await asyncio.gather(
            *(later(_view, url, token, slug, start_at, end_at, encoding, view) for _ in range(probes)),
            *(later(_sink, port, token, slug, start_at, end_at, encoding, view) for _ in range(n - probes)),
            return_exceptions=True,
        )

    # A viewer the server closed counts as nothing received, and as an error: the run still ends.
    gathered = asyncio.run(main())
    errors = [repr(r)[:200] for r in gathered if isinstance(r, BaseException)]
    results = [(0, 0, [], 0) if isinstance(r, BaseException) else r for r in gathered]
    lags = [x for _, _, ls, _ in results for x in ls]
    probe_frames = sum(f for f, _, _, _ in results[:probes])
    # payload bytes and volunteer updates of the parsing probes: bytes per update
    probe_bytes = sum(b for _, b, _, _ in results[:probes])
    probe_updates = sum(u for _, _, _, u in results[:probes])
    out.put(
        (
            probe_frames,
            probes,
            sum(b for _, b, _, _ in results),
            lags[:: max(1, len(lags) // 200_000)],
            probe_bytes,
            probe_updates,
            errors,
        )
    )


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 1)


async def run(args) -> dict:
    settings = Settings()
    rate = args.volunteers / args.ping_every if args.ping_every else args.rate
    campaign, admin, vols = await _setup(settings, args.volunteers if args.ingest_url else 0)
    if not args.ingest_url:
        await asyncio.to_thread(_prefill, settings.redis_url, campaign["id"], args.volunteers, args.density)
    server = None
    url, token, slug, pid = args.url, args.token or admin["token"], args.campaign or campaign["slug"], args.server_pid
    if url is None:
        port = free_port()
        env = dict(os.environ, QUADRILLER_LIVE_FRAMES_PER_SECOND=str(args.fps))
        server = await asyncio.to_thread(
            start_process,
            [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
            port,
            "the HQ server",
            cwd=PROJECT_ROOT,
            env=env,
        )
        url, pid = f"ws://127.0.0.1:{port}/ws/live", server.pid
    ctx = mp.get_context("spawn")
    spread = args.volunteers / 5_000  # seconds over which the viewers connect (see _viewers_process)
    warmup = 1.5 + spread
    start_at = time.time() + 2.0 + warmup  # viewers connected and past their snapshots by then
    end_at = start_at + args.seconds
    w, s, e, n, z = (float(x) for x in args.view.split(","))
    view = {"bbox": [w, s, e, n], "zoom": z}
    scoped_viewers = max(1, round(args.viewers * args.scoped_share))
    groups = {"unscoped": (args.viewers - scoped_viewers, None), "scoped": (scoped_viewers, view)}
    queues = {name: ctx.Queue() for name in groups}
    clients = []
    for name, (count, group_view) in groups.items():
        shares = [count // args.client_procs + (i < count % args.client_procs) for i in range(args.client_procs)]
        probes = [min(k, max(1, args.probes // 2 // args.client_procs)) for k in shares]
        clients += [
            (
                name,
                ctx.Process(
                    target=_viewers_process,
                    args=(url, token, slug, k, p, start_at, end_at, args.encoding, group_view, spread, queues[name]),
                ),
            )
            for k, p in zip(shares, probes)
            if k
        ]
    try:
        for _, c in clients:
            c.start()
        total = end_at - time.time() + 0.5
        if args.ingest_url:
            driver = asyncio.create_task(_phones(args.ingest_url, vols, rate, total))
        else:
            queue = ctx.Queue()
            driver = ctx.Process(
                target=_publisher,
                args=(settings.redis_url, campaign["id"], rate, args.volunteers, args.density, total, queue),
            )
            driver.start()
        await asyncio.sleep(max(0.0, start_at - time.time()))
        cpu0, t0 = _cpu_seconds(pid), time.monotonic()
        await asyncio.sleep(max(0.0, end_at - time.time()))
        elapsed, cpu1 = time.monotonic() - t0, _cpu_seconds(pid)
        sent = await driver if args.ingest_url else await asyncio.to_thread(queue.get)
        parts: dict[str, list] = {name: [] for name in groups}
        for name, _ in clients:
            parts[name].append(await asyncio.to_thread(queues[name].get))
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
    return {
        "bench": "live",
        "viewers": args.viewers,
        "rate": round(rate, 1),
        "seconds": args.seconds,
        "volunteers": args.volunteers,
        "fps_setting": args.fps,
        "source": "ingest" if args.ingest_url else "redis",
        "published_per_s": round(sent / total, 1),
        "client_procs": args.client_procs,
        "encoding": args.encoding,
        **_summary(parts["unscoped"], groups["unscoped"][0], elapsed),
        "scoped": {"viewers": scoped_viewers, "view": view, **_summary(parts["scoped"], scoped_viewers, elapsed)},
        "server_cpu_s": round(cpu1 - cpu0, 2) if cpu0 is not None else None,
        "server_cpu_pct": round(100 * (cpu1 - cpu0) / elapsed, 1) if cpu0 is not None else None,
    }


def _summary(parts: list, nviewers: int, elapsed: float) -> dict:
    """One group's figures. Sinks don't parse frames: frames per viewer come from the probes,
    bytes from everyone."""
    if not nviewers:
        return {}
    probes = max(1, sum(p[1] for p in parts))
    lags = [x for p in parts for x in p[3]]
    probe_updates = sum(p[5] for p in parts)
    return {
        "probe_viewers": sum(p[1] for p in parts),
        "frames_per_viewer_per_s": round(sum(p[0] for p in parts) / probes / elapsed, 2),
        "frames_delivered_per_s": round(sum(p[0] for p in parts) / probes * nviewers / elapsed, 1),
        "updates_per_viewer_per_s": round(probe_updates / probes / elapsed, 1),
        "p50_ms": _percentile(lags, 0.50),
        "p99_ms": _percentile(lags, 0.99),
        "bytes_per_viewer_per_s": round(sum(p[2] for p in parts) / nviewers / elapsed),
        "bytes_per_update": round(sum(p[4] for p in parts) / max(1, probe_updates), 1),
        "viewer_errors": [e for p in parts for e in p[6]][:5],
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.live", description=__doc__.splitlines()[0])
    p.add_argument("--viewers", type=int, default=100)
    p.add_argument("--rate", type=float, default=5000, help="deltas (or pings) per second")
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--volunteers", type=int, default=500)
    p.add_argument("--ping-every", type=float, help="seconds between a volunteer's pings (overrides --rate)")
    p.add_argument("--density", type=float, default=500 / 105, help="volunteers per km² around Paris")
    p.add_argument("--view", default=LOUVRE_AT_15, help="the scoped viewers' view: west,south,east,north,zoom")
    p.add_argument("--scoped-share", type=float, default=0.5, help="share of the viewers that send the view")
    p.add_argument("--fps", type=float, default=4.0, help="live_frames_per_second of the server it starts")
    p.add_argument("--client-procs", type=int, default=2, help="processes sharing the viewers")
    p.add_argument("--probes", type=int, default=6, help="viewers that parse frames to measure latency")
    p.add_argument("--url", help="a running server's ws://…/ws/live (default: start one)")
    p.add_argument("--token")
    p.add_argument("--campaign")
    p.add_argument("--server-pid", type=int, help="to report the running server's CPU seconds")
    p.add_argument(
        "--encoding", choices=("json", "binary"), default="json", help="the deltas' encoding the viewers ask for"
    )
    p.add_argument("--ingest-url", help="drive the real ingest (ws://…/ws/pings) instead of publishing")
    args = p.parse_args(argv)
    if args.url and not (args.token and args.campaign):
        p.error("--url needs --token and --campaign")
    print(orjson.dumps(asyncio.run(run(args))).decode(), flush=True)


if __name__ == "__main__":
    main()
