"""bench.ingest, load generator side (2/2): a worker process, many connections on uvloop, open
loop (--rate) or closed loop (saturation)."""

from __future__ import annotations

import array
import asyncio
import math
import os
import random
import resource
import time
from urllib.parse import urlparse


from bench.ingest_client import Proto, Volunteer


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
            await asyncio.wait_for(
                self.loop.create_connection(lambda: proto, self.host, self.port), self.cfg["connect_timeout"]
            )
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
        slots = max(1, min(len(self.vols), int(round(fi / 0.005))))  # a slot every ~5 ms
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
                await asyncio.sleep(0)  # let acks in even when behind schedule

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
        pipe.send(
            (
                "result",
                {
                    "sent": self.sent,
                    "sent_in_window": self.sent_in_window,
                    "resent": self.resent,
                    "frames": self.frames,
                    "acked": self.acked,
                    "acked_in_window": self.acked_in_window,
                    "duplicate_acks": self.dup_acks,
                    "rejected": self.rejected,
                    "unacked": unacked,
                    "throttled": self.throttled,
                    "warnings": self.warnings,
                    "errors": self.errors,
                    "disconnects": self.disconnects,
                    "reconnects": self.reconnects,
                    "closes": {str(k): n for k, n in self.closes.items()},
                    "connect_failed": sum(v.failed for v in self.vols),
                    "next_seq": max((v.next_seq for v in self.vols), default=0),
                    "rate_cap": sum(v.max_rate for v in self.vols if not v.failed),
                    "cpu_run_s": cpu_run,
                    "cpu_total_s": cpu_total,
                    "max_lag_ms": self.max_lag_ms,
                    "latencies": self.latencies.tobytes(),
                    "acked_vids": vids.tobytes(),
                    "acked_seqs": seqs.tobytes(),
                },
            )
        )


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
