"""bench.connections, load generator side: many idle-but-alive volunteer websockets per process.

Each connection is an asyncio.Protocol driving the `websockets` library's sans-I/O client
(`websockets.client.ClientProtocol`): no task, no queue and no buffer of ours per connection,
so that one generator process holds thousands of sockets in little memory. It offers
permessage-deflate as browsers and the `websockets` client do, so that the server's choice
(accept or refuse compression) is what the benchmark measures. Sockets are bound to source
addresses 127.0.0.2 … 127.0.0.254 in turn: the ephemeral ports of one address do not run out,
and the server's cap on unauthenticated sockets per address is never reached.
"""

from __future__ import annotations

import array
import asyncio
import random
import resource
import time

import orjson
from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import enable_client_permessage_deflate
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

PING_FMT = b'{"type":"ping","seq":%d,"t":%.3f,"lat":%.6f,"lon":%.6f,"acc":12.0}'
SOURCES = [f"127.0.0.{i}" for i in range(2, 255)]


def raise_nofile() -> int:
    """Soft limit of open files up to the hard one (children inherit it); returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class Conn(asyncio.Protocol):
    __slots__ = ("g", "token", "lon", "lat", "ws", "transport", "ready", "seq", "sent_at", "closed")

    def __init__(self, g: Generator, token: str, lon: float, lat: float, seq: int):
        self.g, self.token, self.lon, self.lat, self.seq = g, token, lon, lat, seq
        self.ws = ClientProtocol(
            g.uri, extensions=enable_client_permessage_deflate(None) if g.deflate else None, max_size=1 << 16
        )
        self.transport: asyncio.Transport | None = None
        self.ready: asyncio.Future = g.loop.create_future()
        self.sent_at: dict[int, float] = {}
        self.closed = False

    def _flush(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            for data in self.ws.data_to_send():
                if data:
                    self.transport.write(data)

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.ws.send_request(self.ws.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Response):
                if event.status_code != 101:
                    self._fail(f"handshake refused: {event.status_code}")
                    return
                self.ws.send_text(orjson.dumps({"type": "auth", "token": self.token, "protocol": 1}))
            elif not isinstance(event, Frame):
                continue
            elif event.opcode is Opcode.TEXT:
                self.on_message(orjson.loads(event.data))
            elif event.opcode is Opcode.CLOSE:
                self.g.closes += 1
        self._flush()  # auth, pongs to the server's keepalive pings, close replies

    def on_message(self, msg: dict) -> None:
        kind = msg.get("type")
        if kind == "ack":
            now = time.perf_counter()
            for s in msg.get("seqs", ()):
                t = self.sent_at.pop(s, None)
                if t is not None and self.g.measuring:
                    self.g.latencies.append((now - t) * 1000.0)
            self.g.acked += 1
        elif kind == "ready":
            if msg.get("shift") is None:  # pings are taken during a shift only
                self.ws.send_text(b'{"type":"shift","action":"start"}')
            elif not self.ready.done():
                self.ready.set_result(time.perf_counter())
        elif kind == "shift" and msg.get("state") == "on" and not self.ready.done():
            self.ready.set_result(time.perf_counter())
        elif kind == "error":
            self.g.errors += 1

    def ping(self) -> None:
        if self.closed or self.transport is None:
            return
        self.seq += 1
        j = random.random
        self.ws.send_text(
            PING_FMT % (self.seq, time.time(), self.lat + (j() - 0.5) * 4e-4, self.lon + (j() - 0.5) * 4e-4)
        )
        self.sent_at[self.seq] = time.perf_counter()
        self._flush()

    def _fail(self, reason: str) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(reason))
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc) -> None:
        self.closed = True
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("closed before ready"))
        elif not self.g.stopping:
            self.g.lost += 1


class Generator:
    def __init__(self, cfg: dict):
        self.cfg = cfg
        self.uri = parse_uri(cfg["url"])
        self.deflate = cfg["deflate"]
        self.loop = asyncio.get_running_loop()
        self.latencies = array.array("f")
        self.acked = self.errors = self.lost = self.closes = self.failed = 0
        self.measuring = self.stopping = False
        self.conns: list[Conn] = []

    async def open(self, i: int, token: str, lon: float, lat: float, seq: int) -> Conn | None:
        conn = Conn(self, token, lon, lat, seq)
        src = SOURCES[(i + self.cfg["offset"]) % len(SOURCES)]
        try:
            await asyncio.wait_for(
                self.loop.create_connection(lambda: conn, self.uri.host, self.uri.port, local_addr=(src, 0), ssl=None),
                60,
            )
            await asyncio.wait_for(conn.ready, 120)
            return conn
        except (OSError, ConnectionError, TimeoutError):
            if conn.transport is not None:
                conn.transport.abort()
            return None

    async def connect_all(self, specs: list) -> None:
        sem = asyncio.Semaphore(self.cfg["concurrency"])

        async def one(i, spec):
            async with sem:
                for attempt in range(3):
                    conn = await self.open(i, *spec)
                    if conn is not None:
                        return conn
                    await asyncio.sleep(0.5 * (attempt + 1))
                self.failed += 1
                return None

        self.conns = [c for c in await asyncio.gather(*(one(i, s) for i, s in enumerate(specs))) if c]

    async def keep_alive(self, seconds: float) -> None:
        """One ping per connection every `interval` seconds, spread evenly over the interval."""
        interval, conns = self.cfg["interval"], self.conns
        n = len(conns)
        t0, done = time.monotonic(), 0
        while (now := time.monotonic()) - t0 < seconds:
            due = int((now - t0) / interval * n)
            while done < due:
                conns[done % n].ping()
                done += 1
            await asyncio.sleep(0.05)


def generator_entry(cfg: dict, specs: list, pipe) -> None:
    """A generator process: connect all, say so, wait for 'go', keep alive, report."""
    raise_nofile()
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass

    async def main():
        g = Generator(cfg)
        await g.connect_all(specs)
        pipe.send({"connected": len(g.conns), "failed": g.failed})
        seconds = await g.loop.run_in_executor(None, pipe.recv)
        g.measuring = True
        await g.keep_alive(seconds)
        g.measuring = False
        await asyncio.sleep(2.0)  # the last acks
        unacked = sum(len(c.sent_at) for c in g.conns)
        pipe.send(
            {
                "latencies": g.latencies.tobytes(),
                "pings_acked": len(g.latencies),
                "unacked": unacked,
                "errors": g.errors,
                "lost": g.lost,
            }
        )
        await g.loop.run_in_executor(None, pipe.recv)  # measured: close
        g.stopping = True
        for c in g.conns:
            if c.transport is not None:
                c.transport.abort()

    asyncio.run(main())
