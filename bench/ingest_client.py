"""bench.ingest, load generator side (1/2): one volunteer's outbox and a raw asyncio websocket
client connection (zero mask key: no masking cost, which RFC 6455 allows)."""

from __future__ import annotations

import array
import asyncio
import base64
import math
import os
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import orjson

ZERO_MASK = b"\x00\x00\x00\x00"
JITTER_DEG = 0.0004  # ±~30 m around the volunteer's station point
PING_FMT = b'{"seq":%d,"t":%.3f,"lat":%.6f,"lon":%.6f,"acc":%.1f}'


# =============================================================================================
# Worker side: a raw asyncio websocket client, many connections per process
# =============================================================================================


class Worker(Protocol):
    """What a connection needs of its worker (bench/ingest_worker.py implements it): settings
    and counters. A protocol, so that this module does not import the worker that imports it."""

    rnd: Callable[[], float]
    loop: Any
    path: bytes
    hostport: bytes
    saturate: bool
    ppf: int
    window_pings: int
    fix_spacing: float
    latencies: array.array
    sent: int
    sent_in_window: int
    resent: int
    frames: int
    acked: int
    acked_in_window: int
    dup_acks: int
    rejected: int
    throttled: int
    warnings: int
    disconnects: int
    errors: dict[str, int]
    closes: dict[int, int]
    started: bool
    stopping: bool
    finished: bool
    start_perf: float
    stop_perf: float

    def now_in_window(self) -> bool: ...

    def reconnect(self, v: Volunteer) -> Awaitable[None]: ...


class Volunteer:
    """A connection's state that survives reconnects: outbox, seqs, counters."""

    __slots__ = (
        "w",
        "vid",
        "token",
        "lon",
        "lat",
        "next_seq",
        "outbox",
        "credit",
        "proto",
        "acked",
        "max_frame",
        "attempts",
        "failed",
        "max_rate",
        "created",
    )

    def __init__(self, w: Worker, vid: int, token: str, lon: float, lat: float, seq_start: int):
        self.w = w
        self.vid = vid
        self.token = token
        self.lon = lon
        self.lat = lat
        self.next_seq = seq_start
        self.outbox: dict[int, tuple[float, bytes]] = {}  # seq -> (perf time of last send, ping)
        self.credit = random.random()  # spreads fractional pings per frame
        self.proto: Proto | None = None
        self.acked = array.array("q")
        self.max_frame = 8192
        self.max_rate = math.inf  # the server's max_pings_per_s for this device
        self.created = 0  # new pings made since the start (saturation: rate cap)
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
            b = PING_FMT % (
                s,
                t,
                lat0 + (rnd() - 0.5) * JITTER_DEG,
                lon0 + (rnd() - 0.5) * JITTER_DEG,
                4.0 + rnd() * 8.0,
            )
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
        if len(parts) * 90 < limit:  # the usual case: everything fits in one frame
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
            if msg.get("shift") is None:  # pings are taken only during a shift: open one first
                self.proto.send_text(b'{"type":"shift","action":"start"}')
            else:
                self.proto.on_ready()
        elif kind == "shift":
            if msg.get("state") == "on" and not self.proto.ready:
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
        transport.write(
            b"GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (w.path, w.hostport, key)
        )

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
        if v.outbox:  # a reconnect: everything unacked again
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
            del buf[: end + 4]
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
                ln, hdr = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif ln == 127:
                if n - pos < 10:
                    break
                ln, hdr = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            masked = b1 & 0x80
            if masked:
                hdr += 4
            if n - pos < hdr + ln:
                break
            payload = bytes(buf[pos + hdr : pos + hdr + ln])
            if masked:  # servers never mask, but be correct
                mask = buf[pos + hdr - 4 : pos + hdr]
                payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
            pos += hdr + ln
            op = b0 & 0x0F
            if self.v.proto is not self:  # a connection already replaced by a reconnect: ignore it
                op = -1
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
