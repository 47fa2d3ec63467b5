"""Ingest benchmark: N real volunteers push R pings/s over websockets against a running stack.

    python -m bench.ingest --volunteers 5000 --rate 20000 --seconds 60 \
        [--ingest-url ws://127.0.0.1:8001/ws/pings] [--campaign paris] [--no-refs]

Prints ONE JSON line. The stack (ingest service, PostGIS, Redis) is found through
QUADRILLER_DATABASE_URL / QUADRILLER_REDIS_URL and --ingest-url; the volunteers are real users of
the campaign (`bench-<slug>-<i>`, created or re-tokened in bulk at each run).

Phases, all with the same load generator and the same volunteers:
1. ingest: open-loop load at --rate for --seconds. Every ping is kept in its connection's outbox
   until acked; after the run the acked (volunteer, seq) pairs are checked against `pings` in
   PostGIS (lost = acked but absent). A Redis subscriber on the campaign's live channel times
   send → delta seen (ping `t` is the send time).
2. ceiling: `bench.refservers bare` (parse + ack, nothing stored), closed loop at saturation.
   Its rate is the ceiling of the web stack and the generator's capacity on this machine.
3. naive: `bench.refservers naive` (one INSERT per ping, ack after insert), closed loop.
Both references run as subprocesses on free ports, under uvicorn with ws="websockets-sansio",
like the ingest service.

The generator is lean on purpose (a Python client on the `websockets` library saturates near
26 k msg/s): 2–4 worker processes on uvloop, a raw asyncio websocket client (zero mask key, so
no masking cost, which RFC 6455 allows), one frame per connection per --frame-interval carrying
all that connection's pings, pings formatted with bytes %-formatting, acks parsed with orjson.
"""
from __future__ import annotations

import argparse
import array
import asyncio
import base64
import math
import multiprocessing as mp
import os
import random
import resource
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import orjson

ZERO_MASK = b"\x00\x00\x00\x00"
JITTER_DEG = 0.0004            # ±~30 m around the volunteer's station point
PING_FMT = b'{"seq":%d,"t":%.3f,"lat":%.6f,"lon":%.6f,"acc":%.1f}'


# =============================================================================================
# Worker side: a raw asyncio websocket client, many connections per process
# =============================================================================================

class Volunteer:
    """A connection's state that survives reconnects: outbox, seqs, counters."""

    __slots__ = ("w", "vid", "token", "lon", "lat", "next_seq", "outbox", "credit", "proto",
                 "acked", "max_frame", "attempts", "failed", "max_rate", "created")

    def __init__(self, w: Worker, vid: int, token: str, lon: float, lat: float, seq_start: int):
        self.w = w
        self.vid = vid
        self.token = token
        self.lon = lon
        self.lat = lat
        self.next_seq = seq_start
        self.outbox: dict[int, tuple[float, bytes]] = {}   # seq -> (perf time of last send, ping)
        self.credit = random.random()                       # spreads fractional pings per frame
        self.proto: Proto | None = None
        self.acked = array.array("q")
        self.max_frame = 8192
        self.max_rate = math.inf      # the server's max_pings_per_s for this device
        self.created = 0              # new pings made since the start (saturation: rate cap)
        self.attempts = 0
        self.failed = False

    # -- sending --
    def new_pings(self, n: int, now_wall: float, now_perf: float) -> None:
        """n new fixes, taken over the last frame interval (the newest one now), sent in a frame."""
        w = self.w
        rnd = w.rnd
        ob = self.outbox
        seq = self.next_seq
        self.next_seq = seq + n
        parts = []
        lon0, lat0 = self.lon, self.lat
        dt = w.fix_spacing / n
        t = now_wall - (n - 1) * dt
        for s in range(seq, seq + n):
            b = PING_FMT % (s, t, lat0 + (rnd() - 0.5) * JITTER_DEG,
                            lon0 + (rnd() - 0.5) * JITTER_DEG, 4.0 + rnd() * 8.0)
            t += dt
            ob[s] = (now_perf, b)
            parts.append(b)
        w.sent += n
        if w.now_in_window():
            w.sent_in_window += n
        if self.proto is not None and self.proto.ready:
            self._send_parts(parts)

    def resend(self, seqs) -> None:
        """Send again the given seqs still in the outbox (after a reconnect or a throttle)."""
        if self.proto is None or not self.proto.ready:
            return
        now = time.perf_counter()
        ob = self.outbox
        parts = []
        for s in seqs:
            e = ob.get(s)
            if e is not None:
                ob[s] = (now, e[1])
                parts.append(e[1])
        if parts:
            self.w.resent += len(parts)
            self._send_parts(parts)

    def _send_parts(self, parts: list[bytes]) -> None:
        proto = self.proto
        limit = self.max_frame - 32
        if len(parts) * 90 < limit:                 # the usual case: everything fits in one frame
            self._frame(proto, parts)
            return
        chunk, size = [], 0
        for b in parts:
            if chunk and size + len(b) + 1 > limit:
                self._frame(proto, chunk)
                chunk, size = [], 0
            chunk.append(b)
            size += len(b) + 1
        if chunk:
            self._frame(proto, chunk)

    def _frame(self, proto: Proto, parts: list[bytes]) -> None:
        if len(parts) == 1:
            payload = b'{"type":"ping",' + parts[0][1:]
        else:
            payload = b'{"type":"pings","pings":[' + b",".join(parts) + b"]}"
        proto.send_text(payload)
        self.w.frames += 1

    def fill_window(self) -> None:
        """Saturation mode: keep `window` pings in flight."""
        w = self.w
        if w.stopping or self.proto is None or not self.proto.ready:
            return
        room = w.window_pings - len(self.outbox)
        if room < w.ppf:
            return
        now = time.perf_counter()
        # A well-behaved client never exceeds the rate the server announced in `ready`.
        allowed = self.max_rate * (now - w.start_perf) + w.ppf - self.created
        while room >= w.ppf and allowed >= w.ppf:
            self.new_pings(w.ppf, time.time(), now)
            self.created += w.ppf
            room -= w.ppf
            allowed -= w.ppf

    # -- server frames --
    def on_message(self, payload: bytes) -> None:
        msg = orjson.loads(payload)
        kind = msg.get("type")
        w = self.w
        if kind == "ack":
            now = time.perf_counter()
            ob = self.outbox
            lat = w.latencies.append
            acked = self.acked.append
            n = 0
            for s in msg["seqs"]:
                e = ob.pop(s, None)
                if e is None:
                    w.dup_acks += 1
                    continue
                lat((now - e[0]) * 1000.0)
                acked(s)
                n += 1
            w.acked += n
            if now <= w.stop_perf:
                w.acked_in_window += n
            if w.saturate:
                self.fill_window()
        elif kind == "ready":
            self.max_frame = int(msg.get("max_frame_bytes") or 8192)
            self.max_rate = float(msg.get("max_pings_per_s") or math.inf)
            self.proto.on_ready()
        elif kind == "throttle":
            seqs = msg.get("seqs") or []
            w.throttled += len(seqs)
            delay = float(msg.get("retry_after_ms") or 0) / 1000.0
            w.loop.call_later(delay, self.resend, sorted(seqs))
        elif kind == "error":
            code = str(msg.get("code"))
            w.errors[code] = w.errors.get(code, 0) + 1
            s = msg.get("seq")
            if s is not None and self.outbox.pop(s, None) is not None:
                w.rejected += 1
        elif kind == "warning":
            w.warnings += 1


class Proto(asyncio.Protocol):
    """One websocket connection: HTTP upgrade, then frames. Client frames use a zero mask key."""

    __slots__ = ("v", "transport", "buf", "upgraded", "ready", "frag", "ready_fut", "close_code")

    def __init__(self, v: Volunteer, ready_fut: asyncio.Future):
        self.v = v
        self.transport = None
        self.buf = bytearray()
        self.upgraded = False
        self.ready = False
        self.frag: bytearray | None = None
        self.ready_fut = ready_fut
        self.close_code: int | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        w = self.v.w
        key = base64.b64encode(os.urandom(16))
        transport.write(b"GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        b"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
                        % (w.path, w.hostport, key))

    def send_text(self, payload: bytes) -> None:
        n = len(payload)
        if n < 126:
            head = bytes((0x81, 0x80 | n)) + ZERO_MASK
        elif n < 65536:
            head = b"\x81\xfe" + n.to_bytes(2, "big") + ZERO_MASK
        else:
            head = b"\x81\xff" + n.to_bytes(8, "big") + ZERO_MASK
        self.transport.write(head + payload)

    def _control(self, opcode: int, payload: bytes = b"") -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(bytes((0x80 | opcode, 0x80 | len(payload))) + ZERO_MASK + payload)

    def on_ready(self) -> None:
        self.ready = True
        v = self.v
        v.attempts = 0
        if not self.ready_fut.done():
            self.ready_fut.set_result(True)
        if v.outbox:                                    # a reconnect: everything unacked again
            v.resend(sorted(v.outbox))
        if v.w.saturate and v.w.started:
            v.fill_window()

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buf[:12])
            del buf[:end + 4]
            if status != b"HTTP/1.1 101":
                self._fail(f"handshake refused: {status!r}")
                return
            self.upgraded = True
            self.send_text(orjson.dumps({"type": "auth", "token": self.v.token, "protocol": 1}))
        pos, n = 0, len(buf)
        while n - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            ln, hdr = b1 & 0x7F, 2
            if ln == 126:
                if n - pos < 4:
                    break
                ln, hdr = int.from_bytes(buf[pos + 2:pos + 4], "big"), 4
            elif ln == 127:
                if n - pos < 10:
                    break
                ln, hdr = int.from_bytes(buf[pos + 2:pos + 10], "big"), 10
            masked = b1 & 0x80
            if masked:
                hdr += 4
            if n - pos < hdr + ln:
                break
            payload = bytes(buf[pos + hdr:pos + hdr + ln])
            if masked:  # servers never mask, but be correct
                mask = buf[pos + hdr - 4:pos + hdr]
                payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
            pos += hdr + ln
            op = b0 & 0x0F
            if op == 1 or op == 2:
                if b0 & 0x80:
                    self.v.on_message(payload)
                else:
                    self.frag = bytearray(payload)
            elif op == 0 and self.frag is not None:
                self.frag += payload
                if b0 & 0x80:
                    whole, self.frag = bytes(self.frag), None
                    self.v.on_message(whole)
            elif op == 8:
                self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self._control(8, payload[:2])
                self.transport.close()
                break
            elif op == 9:
                self._control(10, payload)
        if pos:
            del buf[:pos]

    def _fail(self, reason: str) -> None:
        if not self.ready_fut.done():
            self.ready_fut.set_exception(ConnectionError(reason))
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc) -> None:
        v = self.v
        if not self.ready_fut.done():
            self.ready_fut.set_exception(ConnectionError(f"closed before ready ({self.close_code})"))
        if v.proto is self:
            v.proto = None
            w = v.w
            if self.ready and not w.finished:
                w.disconnects += 1
                if self.close_code is not None:
                    w.closes[self.close_code] = w.closes.get(self.close_code, 0) + 1
            if not w.finished and self.close_code != 1008:
                w.loop.create_task(w.reconnect(v))


class Worker:
    def __init__(self, cfg: dict, specs: list[tuple[int, str, float, float]]):
        self.cfg = cfg
        u = urlparse(cfg["url"])
        self.host, self.port = u.hostname or "127.0.0.1", u.port or 80
        self.path = (u.path or "/").encode()
        self.hostport = f"{self.host}:{self.port}".encode()
        self.saturate = cfg["saturate"]
        self.ppf = cfg["pings_per_frame"]
        self.window_pings = cfg["window"] * self.ppf
        # Fixes of one frame are spread over the frame interval: a phone batches what it
        # recorded since its last frame. Equal timestamps would also hide all but one ping
        # from the live map, which only publishes a volunteer's newest fix.
        self.fix_spacing = 0.001 * self.ppf if self.saturate else cfg["frame_interval"]
        self.rnd = random.random
        self.loop: asyncio.AbstractEventLoop | None = None
        self.vols = [Volunteer(self, vid, tok, lon, lat, cfg["seq_start"]) for vid, tok, lon, lat in specs]
        self.latencies = array.array("f")
        self.sent = self.sent_in_window = self.resent = self.frames = 0
        self.acked = self.acked_in_window = self.dup_acks = self.rejected = 0
        self.throttled = self.warnings = self.disconnects = self.reconnects = 0
        self.errors: dict[str, int] = {}
        self.closes: dict[int, int] = {}
        self.started = self.stopping = self.finished = False
        self.start_perf = self.stop_perf = math.inf
        self.max_lag_ms = 0.0

    def now_in_window(self) -> bool:
        return time.perf_counter() <= self.stop_perf

    async def open(self, v: Volunteer) -> bool:
        fut = self.loop.create_future()
        proto = Proto(v, fut)
        v.proto = proto
        try:
            await asyncio.wait_for(self.loop.create_connection(lambda: proto, self.host, self.port),
                                   self.cfg["connect_timeout"])
            await asyncio.wait_for(fut, self.cfg["connect_timeout"])
            return True
        except (OSError, ConnectionError, TimeoutError) as exc:
            if v.proto is proto:
                v.proto = None
            if proto.transport is not None:
                proto.transport.abort()
            self.last_error = repr(exc)
            return False

    async def reconnect(self, v: Volunteer) -> None:
        delay = 0.2
        while not self.finished and v.proto is None:
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 5.0)
            self.reconnects += 1
            if await self.open(v):
                return

    async def connect_all(self) -> tuple[int, int]:
        sem = asyncio.Semaphore(self.cfg["connect_concurrency"])

        async def one(v: Volunteer) -> bool:
            async with sem:
                for attempt in range(4):
                    if await self.open(v):
                        return True
                    await asyncio.sleep(0.2 * (attempt + 1))
                v.failed = True
                return False

        ok = await asyncio.gather(*(one(v) for v in self.vols))
        return sum(ok), len(ok) - sum(ok)

    async def run_rated(self) -> None:
        """Open loop: each connection sends one frame per frame interval, phases spread evenly."""
        cfg = self.cfg
        fi = cfg["frame_interval"]
        per_frame = cfg["rate_per_volunteer"] * fi
        slots = max(1, min(len(self.vols), int(round(fi / 0.005))))   # a slot every ~5 ms
        step = fi / slots
        by_slot: list[list[Volunteer]] = [[] for _ in range(slots)]
        for i, v in enumerate(self.vols):
            by_slot[i % slots].append(v)
        k = 0
        perf = time.perf_counter
        while True:
            target = self.start_perf + k * step
            if target >= self.stop_perf:
                break
            now = perf()
            if target > now:
                await asyncio.sleep(target - now)
            else:
                lag = (now - target) * 1000.0
                if lag > self.max_lag_ms:
                    self.max_lag_ms = lag
            now_wall, now_perf = time.time(), perf()
            for v in by_slot[k % slots]:
                v.credit += per_frame
                n = int(v.credit)
                if n:
                    v.credit -= n
                    v.new_pings(n, now_wall, now_perf)
            k += 1
            if k % slots == 0:
                await asyncio.sleep(0)   # let acks in even when behind schedule

    async def main(self, pipe) -> None:
        self.loop = asyncio.get_running_loop()
        self.last_error = None
        ok, failed = await self.connect_all()
        pipe.send(("connected", ok, failed, self.last_error))
        msg = await self.loop.run_in_executor(None, pipe.recv)
        if msg[0] != "start":
            return
        start_wall, seconds = msg[1], msg[2]
        delay = start_wall - time.time()
        self.start_perf = time.perf_counter() + delay
        self.stop_perf = self.start_perf + seconds
        if delay > 0:
            await asyncio.sleep(delay)
        cpu0 = _cpu_self()
        self.started = True
        if self.saturate:
            # Acks refill each connection's window; this tick refills those held by the rate cap.
            while time.perf_counter() < self.stop_perf:
                for v in self.vols:
                    v.fill_window()
                await asyncio.sleep(min(0.05, max(0.0, self.stop_perf - time.perf_counter())))
        else:
            await self.run_rated()
            await asyncio.sleep(max(0.0, self.stop_perf - time.perf_counter()))
        cpu_run = _cpu_self() - cpu0
        self.stopping = True
        drain_until = time.perf_counter() + self.cfg["drain_seconds"]
        while time.perf_counter() < drain_until and any(v.outbox for v in self.vols):
            await asyncio.sleep(0.05)
        self.finished = True
        cpu_total = _cpu_self() - cpu0
        unacked = sum(len(v.outbox) for v in self.vols)
        for v in self.vols:
            if v.proto is not None and v.proto.transport is not None:
                v.proto._control(8, (1000).to_bytes(2, "big"))
                v.proto.transport.close()
        await asyncio.sleep(0.05)
        vids = array.array("q")
        seqs = array.array("q")
        for v in self.vols:
            vids.extend([v.vid] * len(v.acked))
            seqs.extend(v.acked)
        pipe.send(("result", {
            "sent": self.sent, "sent_in_window": self.sent_in_window, "resent": self.resent,
            "frames": self.frames, "acked": self.acked, "acked_in_window": self.acked_in_window,
            "duplicate_acks": self.dup_acks, "rejected": self.rejected, "unacked": unacked,
            "throttled": self.throttled, "warnings": self.warnings, "errors": self.errors,
            "disconnects": self.disconnects, "reconnects": self.reconnects,
            "closes": {str(k): n for k, n in self.closes.items()},
            "connect_failed": sum(v.failed for v in self.vols),
            "next_seq": max((v.next_seq for v in self.vols), default=0),
            "rate_cap": sum(v.max_rate for v in self.vols if not v.failed),
            "cpu_run_s": cpu_run, "cpu_total_s": cpu_total, "max_lag_ms": self.max_lag_ms,
            "latencies": self.latencies.tobytes(), "acked_vids": vids.tobytes(), "acked_seqs": seqs.tobytes(),
        }))


def _cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def worker_entry(cfg: dict, specs: list, pipe) -> None:
    _raise_nofile()
    random.seed(os.getpid() ^ int(time.time()))
    try:
        import uvloop
        runner = uvloop.run
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        runner = asyncio.run
    runner(Worker(cfg, specs).main(pipe))


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

    from ingest.simulator import ensure_volunteers, load_stations, next_seq

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

def run_phase(name: str, url: str, prep: Prep, *, rate: float, seconds: float, workers: int,
              frame_interval: float, pings_per_frame: int, window: int, drain_seconds: float,
              connect_timeout: float, server_pids: list[int], live: LiveSubscriber | None = None) -> dict:
    n = len(prep.accounts)
    saturate = rate <= 0
    workers = max(1, min(workers, n))
    cfg = {
        "url": url, "saturate": saturate, "rate_per_volunteer": (rate / n) if n else 0,
        "frame_interval": frame_interval, "pings_per_frame": pings_per_frame, "window": window,
        "seq_start": prep.seq_start, "drain_seconds": drain_seconds, "connect_timeout": connect_timeout,
        "connect_concurrency": 64,
    }
    specs = [(vid, tok, lon, lat) for (vid, tok), (lon, lat) in zip(prep.accounts, prep.points)]
    ctx = mp.get_context("spawn")
    procs, pipes = [], []
    for i in range(workers):
        parent, child = ctx.Pipe()
        p = ctx.Process(target=worker_entry, args=(cfg, specs[i::workers], child), daemon=True,
                        name=f"bench-{name}-{i}")
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
    total = {k: sum(r[k] for r in results) for k in (
        "sent", "sent_in_window", "resent", "frames", "acked", "acked_in_window", "duplicate_acks",
        "rejected", "unacked", "throttled", "warnings", "disconnects", "reconnects", "connect_failed")}
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
        volunteers=n, workers=workers, seconds=seconds,
        mode="saturate" if saturate else "rate", rate_target=None if saturate else rate,
        pings_per_frame=pings_per_frame if saturate else round(rate / n * frame_interval, 2),
        pings_sent=total["sent"], pings_acked=total["acked"], acked_per_s=round(acked_per_s, 1),
        sent_per_s=round(total["sent_in_window"] / seconds, 1),
        frames_sent=total["frames"], resent=total["resent"], duplicate_acks=total["duplicate_acks"],
        rejected=total["rejected"], unacked=total["unacked"], throttled=total["throttled"],
        warnings=total["warnings"], errors=errors, disconnects=total["disconnects"],
        reconnects=total["reconnects"], closes=closes,
        ack_p50_ms=_pct(lat, 50), ack_p99_ms=_pct(lat, 99), ack_max_ms=_pct(lat, 100),
        server_pids=server_pids, server_cpu_s=round(cpu_run, 2) if server_pids else None,
        server_rss_mb=rss if server_pids else None,
        generator_cpu_s=round(gen_cpu, 2),
        generator_cpu_us_per_ping=round(gen_cpu / max(1, total["acked_in_window"]) * 1e6, 2),
        generator_max_lag_ms=round(max(r["max_lag_ms"] for r in results), 1),
        cpu_util={"generator_worker_max": round(gen_util_max, 2),
                  "server": round(server_util, 2) if server_util is not None else None,
                  "machine": round(machine_util, 2), "cores": os.cpu_count()},
    )
    out["next_seq"] = max(r["next_seq"] for r in results)
    cap = sum(r["rate_cap"] for r in results)
    out["server_rate_cap_per_s"] = cap if math.isfinite(cap) and cap < 1e8 else None
    out["limited_by"] = limited_by(out, rate, gen_util_max, server_util, machine_util)
    if live is not None:
        live_lat = np.frombuffer(live.samples, dtype=np.float32) if len(live.samples) else np.array([])
        out.update(live_p50_ms=_pct(live_lat, 50), live_p99_ms=_pct(live_lat, 99),
                   live_deltas_seen=live.ours, live_error=live.error)
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


# -- database verification --------------------------------------------------------------------

async def verify(database_url: str, table: str, vids_all: list[int], seq_start: int, pairs,
                 source: str | None) -> dict:
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        if not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", table):
            return {"rows_in_db": None, "lost": None, "duplicates_in_db": None, "db_error": f"no table {table}"}
        cols = {r["column_name"] for r in await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = $1", table)}
        src = " AND source = $3" if source and "source" in cols else ""
        args = [vids_all, seq_start] + ([source] if src else [])
        row = await conn.fetchrow(
            f"SELECT count(*) AS n, count(DISTINCT (volunteer_id, seq)) AS d FROM {table} "
            f"WHERE volunteer_id = ANY($1::bigint[]) AND seq >= $2{src}", *args)
        vids, seqs = pairs
        async with conn.transaction():
            await conn.execute("CREATE TEMP TABLE bench_acked (v bigint, s bigint) ON COMMIT DROP")
            await conn.copy_records_to_table("bench_acked", records=zip(vids.tolist(), seqs.tolist()))
            lost = await conn.fetchval(
                f"SELECT count(*) FROM bench_acked a WHERE NOT EXISTS (SELECT 1 FROM {table} p "
                f"WHERE p.volunteer_id = a.v AND p.seq = a.s{src.replace('$3', '$1')})",
                *([source] if src else []))
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

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_refserver(kind: str, database_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "bench.refservers", kind, "--port", str(port)]
    if kind == "naive":
        cmd += ["--database-url", database_url]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"refserver {kind} exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, f"ws://127.0.0.1:{port}/ws/pings"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"refserver {kind} did not start")


def stop_refserver(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


# -- main -------------------------------------------------------------------------------------

PUBLIC_KEYS = ("pings_sent", "pings_acked", "acked_per_s", "ack_p50_ms", "ack_p99_ms", "server_cpu_s",
               "server_rss_mb", "limited_by")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.splitlines()[0])
    p.add_argument("--volunteers", type=int, default=500)
    p.add_argument("--rate", type=float, default=5000.0, help="pings per second in total (0: saturate)")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--ingest-url", default="ws://127.0.0.1:8001/ws/pings")
    p.add_argument("--campaign", default="paris")
    p.add_argument("--workers", type=int, default=min(4, max(2, os.cpu_count() or 2)),
                   help="load-generator processes")
    p.add_argument("--frame-interval", type=float, default=1.0,
                   help="seconds between two frames of one volunteer (its pings are batched per frame)")
    p.add_argument("--pings-per-frame", type=int, default=None,
                   help="saturation runs (references, --rate 0): pings per frame "
                        "(default: what the rated run sends, at least 1)")
    p.add_argument("--window", type=int, default=2, help="saturation runs: frames in flight per connection")
    p.add_argument("--ref-seconds", type=float, default=None, help="duration of each reference run (default: min(seconds, 10))")
    p.add_argument("--drain-seconds", type=float, default=10.0, help="how long to wait for the last acks")
    p.add_argument("--connect-timeout", type=float, default=15.0)
    p.add_argument("--server-pid", type=int, action="append", default=[], help="ingest process id(s); default: found by port")
    p.add_argument("--no-refs", action="store_true",
                   help="skip the reference servers and the saturation run of the ingest (no ratios)")
    p.add_argument("--refs-only", action="store_true", help="measure only the reference servers")
    p.add_argument("--database-url")
    p.add_argument("--redis-url")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from server.redis import live_channel
    from server.settings import Settings

    args = parse_args(argv)
    settings = Settings()
    db_url = args.database_url or settings.database_url
    redis_url = args.redis_url or settings.redis_url
    _raise_nofile()
    n = args.volunteers
    started = time.monotonic()
    try:
        prep = asyncio.run(prepare(db_url, args.campaign, n))
    except Exception as exc:  # noqa: BLE001 - one JSON line, whatever happens
        sys.stdout.write(orjson.dumps({"bench": "ingest", "error": f"set-up failed: {type(exc).__name__}: {exc}"}).decode() + "\n")
        return 3
    vid_list = [vid for vid, _ in prep.accounts]
    if args.pings_per_frame:
        ppf = args.pings_per_frame
    elif args.rate > 0:
        ppf = max(1, round(args.rate / n * args.frame_interval))
    else:
        ppf = 4
    common = dict(workers=args.workers, frame_interval=args.frame_interval, pings_per_frame=ppf,
                  window=args.window, drain_seconds=args.drain_seconds, connect_timeout=args.connect_timeout)
    sat_seconds = args.ref_seconds or min(args.seconds, 10.0)
    report: dict = {"bench": "ingest", "campaign": args.campaign, "volunteers": n,
                    "rate_target": args.rate, "seconds": args.seconds, "workers": args.workers,
                    "saturation_pings_per_frame": ppf, "saturation_seconds": sat_seconds}
    ingest = ingest_max = ceiling = naive = None

    def ingest_phase(name: str, rate: float, seconds: float, live: bool) -> dict:
        port = urlparse(args.ingest_url).port or 80
        pids = args.server_pid or pids_listening(port)
        sub = LiveSubscriber(redis_url, live_channel(prep.campaign_id), set(vid_list), prep.seq_start) if live else None
        seq_start = prep.seq_start
        try:
            res = run_phase(name, args.ingest_url, prep, rate=rate, seconds=seconds, server_pids=pids,
                            live=sub, **common)
            prep.seq_start = max(prep.seq_start, res.pop("next_seq"))
            res.update(asyncio.run(verify(db_url, "pings", vid_list, seq_start, res.pop("_acked_pairs"), "ws")))
            return res
        except Exception as exc:  # noqa: BLE001 - a failed phase is reported, the others still run
            return {"phase": name, "error": f"{type(exc).__name__}: {exc}"}

    if not args.refs_only:
        # 1. The target load, open loop: latency and loss at the offered rate.
        ingest = ingest_phase("ingest", args.rate, args.seconds, live=True) if args.rate > 0 else None
        # 2. The same service at saturation, shaped like the reference runs, for the ratios.
        if not args.no_refs or args.rate <= 0:
            if ingest is not None:
                report["settle_s"] = wait_idle(args.ingest_url)
            ingest_max = ingest_phase("ingest_max", 0, sat_seconds if args.rate > 0 else args.seconds,
                                      live=args.rate <= 0)
        if ingest is None:
            ingest = ingest_max

    if not args.no_refs:
        for kind in ("bare", "naive"):
            proc = None
            try:
                proc, url = start_refserver(kind, db_url)
                if kind == "naive":
                    asyncio.run(_truncate_naive(db_url))
                res = run_phase(kind, url, prep, rate=0, seconds=sat_seconds, server_pids=[proc.pid], **common)
                res.pop("next_seq")
                pairs = res.pop("_acked_pairs")
                if kind == "naive":
                    from bench.refservers import NAIVE_TABLE
                    res.update(asyncio.run(verify(db_url, NAIVE_TABLE, vid_list, 0, pairs, None)))
            except Exception as exc:  # noqa: BLE001
                res = {"phase": kind, "error": f"{type(exc).__name__}: {exc}"}
            finally:
                if proc is not None:
                    stop_refserver(proc)
            if kind == "bare":
                ceiling = res
            else:
                naive = res

    # The headline: the target-load run's figures at the top level, the references beside them.
    src = ingest or {}
    for key in ("pings_sent", "pings_acked", "rows_in_db", "lost", "duplicates_in_db", "acked_per_s",
                "ack_p50_ms", "ack_p99_ms", "live_p99_ms", "server_cpu_s", "server_rss_mb", "limited_by"):
        report[key] = src.get(key)
    if ingest_max is not None and ingest_max is not ingest:
        # Loss is checked on every run against the ingest.
        for key in ("lost", "duplicates_in_db"):
            if report[key] is not None and ingest_max.get(key) is not None:
                report[key] += ingest_max[key]
    report["ingest_max_per_s"] = (ingest_max or {}).get("acked_per_s")
    report["ceiling_per_s"] = (ceiling or {}).get("acked_per_s")
    report["naive_per_s"] = (naive or {}).get("acked_per_s")
    report["generator_capacity"] = report["ceiling_per_s"]
    report["generator_capacity_limited_by"] = (ceiling or {}).get("limited_by")
    report["generator_cpu_us_per_ping"] = (ceiling or {}).get("generator_cpu_us_per_ping")
    # Ratios compare like with like: saturation runs, same connections, same pings per frame.
    ours = report["ingest_max_per_s"]
    report["ratio_basis"] = "saturation" if ours is not None else "offered_rate"
    if ours is None:
        ours = src.get("acked_per_s")
    if ingest_max and str(ingest_max.get("limited_by", "")).startswith("per-device rate cap"):
        report["ratio_note"] = ("the saturation run hit the per-device rate the service announces "
                                "(max_pings_per_s x volunteers): the ratios are lower bounds. Use more "
                                "volunteers or raise QUADRILLER_INGEST_RATE_PER_DEVICE on the service.")
    report["ratio_to_ceiling"] = _ratio(ours, report["ceiling_per_s"])
    report["ratio_to_naive"] = _ratio(ours, report["naive_per_s"])
    report["checks"] = _checks(report, n) if ingest and "error" not in ingest else None
    report["ingest"] = ingest
    report["ingest_max"] = ingest_max if ingest_max is not ingest else None
    report["ceiling"] = ceiling
    report["naive"] = naive
    report["wall_s"] = round(time.monotonic() - started, 1)
    sys.stdout.write(orjson.dumps(report).decode() + "\n")
    sys.stdout.flush()
    phases = (ingest, ingest_max, ceiling, naive)
    return 0 if all(p is None or "error" not in p for p in phases) else 1


async def _truncate_naive(db_url: str) -> None:
    import asyncpg

    from bench.refservers import NAIVE_TABLE

    conn = await asyncpg.connect(db_url)
    try:
        await conn.execute(f"TRUNCATE {NAIVE_TABLE}")
    finally:
        await conn.close()


def _ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def _checks(r: dict, n: int) -> dict:
    """The issue's targets, as booleans (None when a figure is missing)."""
    def le(x, limit):
        return None if x is None else x < limit

    def ge(x, limit):
        return None if x is None else x >= limit

    return {
        "volunteers_5000": n >= 5000,
        "acked_per_s_20000": ge(r["acked_per_s"], 20000),
        "zero_lost": None if r["lost"] is None else r["lost"] == 0,
        "ack_p99_lt_250ms": le(r["ack_p99_ms"], 250),
        "live_p99_lt_250ms": le(r["live_p99_ms"], 250),
        "half_of_ceiling": ge(r["ratio_to_ceiling"], 0.5),
        "ten_times_naive": ge(r["ratio_to_naive"], 10),
    }


if __name__ == "__main__":
    sys.exit(main())
