"""A volunteer's websocket client with an outbox: what a phone does, in Python.

Every ping gets the client's own increasing `seq` and stays in the outbox until the server acks
it (an ack means "committed in PostGIS"). On a lost connection the client reconnects with
backoff and resends everything unacknowledged; duplicates are harmless on the server
(idempotent on volunteer + seq). A throttled ping is resent after `retry_after_ms`; a ping the
server rejects for good (`error` with its seq) leaves the outbox and is recorded in `rejected`.
Pings are taken only during a shift: with `shift=True` (the default) the client opens one on
connecting if none is open, before sending anything; `end_shift()` ends it.

The simulator drives hundreds of these, and the durability tests compare `acked_seqs` (what the
client saw acknowledged) with the rows in PostGIS. The benchmark's load generator
(bench/ingest.py) speaks the same protocol with a leaner raw-socket client.

    client = VolunteerClient("ws://127.0.0.1:8001/ws/pings", token)
    await client.start()
    client.add(lat=48.85, lon=2.35, acc=6.0)
    await client.flush(timeout=5)      # every ping acked or rejected
    await client.close()
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

log = logging.getLogger(__name__)

PROTOCOL = 1
# Close codes after which retrying cannot help.
FATAL_CLOSE_CODES = {1008}
CLOSE_FRAME_TOO_BIG = 1009


class AuthenticationFailed(RuntimeError):
    """The server refused the token (close 1008, or an error frame before `ready`)."""


@dataclass
class ClientStats:
    sent: int = 0  # pings handed to the socket, resends included
    resent: int = 0  # of which resends (after a reconnect or a throttle)
    acked: int = 0  # distinct pings acknowledged
    duplicate_acks: int = 0  # acks for pings already acknowledged (harmless)
    rejected: int = 0  # pings refused for good (error frame with their seq)
    errors: int = 0  # error frames, with or without a seq
    warnings: int = 0
    throttled: int = 0  # pings the server dropped under throttle (resent later)
    frames_sent: int = 0
    connects: int = 0
    disconnects: int = 0
    error_codes: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(self.__dict__, error_codes=dict(self.error_codes))


def default_seq_start() -> int:
    """Milliseconds since the epoch: a client restarted for the same volunteer keeps increasing."""
    return int(time.time() * 1000)


class VolunteerClient:
    """One volunteer, one websocket, an outbox of unacknowledged pings.

    `add()` never blocks and never fails: the ping goes to the outbox and is sent when the
    connection is up. The connection is kept by a background task started by `start()`.
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        seq_start: int | None = None,
        batch_max: int = 100,
        linger_s: float = 0.0,
        backoff_initial_s: float = 0.25,
        backoff_max_s: float = 10.0,
        open_timeout_s: float = 10.0,
        keep_latencies: int = 100_000,
        on_message: Callable[[dict], None] | None = None,
        shift: bool = True,
    ) -> None:
        self.url = url
        self.token = token
        self.batch_max = batch_max
        self.linger_s = linger_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.open_timeout_s = open_timeout_s
        self.keep_latencies = keep_latencies
        self.on_message = on_message
        self.want_shift = shift
        self.shift: dict | None = None  # {"id", "since"} while on shift
        self._shift_changed = asyncio.Event()
        self._last_shift_frame: dict | None = None

        self._next_seq = default_seq_start() if seq_start is None else seq_start
        self.outbox: dict[int, dict] = {}  # seq -> ping, until acked or rejected
        self.acked_seqs: set[int] = set()
        self.rejected: dict[int, str] = {}  # seq -> error code
        self.ack_latencies_ms: list[float] = []  # send -> ack, last send of each ping
        self.stats = ClientStats()
        self.ready: dict | None = None  # the server's `ready` frame
        self.max_frame_bytes = 8192
        self.fatal: BaseException | None = None

        self._sent_at: dict[int, float] = {}
        self._pending: dict[int, None] = {}  # seqs to send on the current connection, in order
        self._wake = asyncio.Event()
        self._connected = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()
        self._paused_until = 0.0
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task | None = None
        self._closing = False

    # -- public API --------------------------------------------------------------------------

    @property
    def volunteer_id(self) -> int | None:
        return self.ready.get("volunteer") if self.ready else None

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    @property
    def counters(self) -> dict:
        return self.stats.as_dict() | {"unacked": len(self.outbox)}

    async def start(self, wait_ready: bool = False, timeout: float | None = None) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"volunteer-client:{self.url}")
        if wait_ready:
            await self.wait_connected(timeout)

    async def wait_connected(self, timeout: float | None = None) -> None:
        waiter = asyncio.create_task(self._connected.wait())
        try:
            done, _ = await asyncio.wait({waiter, self._task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if self.fatal:
            raise self.fatal
        if not self._connected.is_set():
            raise TimeoutError(f"not connected to {self.url} after {timeout}s")

    def add(self, lat: float, lon: float, acc: float, t: float | None = None, **extra) -> int:
        """Queue one ping (extra: alt, spd, hdg, bat); returns its seq."""
        seq = self._next_seq
        self._next_seq += 1
        ping = {"seq": seq, "t": time.time() if t is None else t, "lat": lat, "lon": lon, "acc": acc}
        for key, value in extra.items():
            if value is not None:
                ping[key] = value
        self.outbox[seq] = ping
        self._pending[seq] = None
        self._drained.clear()
        self._wake.set()
        return seq

    async def flush(self, timeout: float | None = None) -> bool:
        """Wait until the outbox is empty (everything acked or rejected). False on timeout."""
        try:
            await asyncio.wait_for(self._drained.wait(), timeout)
            return True
        except TimeoutError:
            return False

    async def close(self) -> None:
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - closing anyway
                pass
        if self._ws is not None:
            try:
                await asyncio.wait_for(self._ws.close(), 2)
            except Exception:  # noqa: BLE001
                pass
        self._connected.clear()

    # -- connection loop ---------------------------------------------------------------------

    async def _run(self) -> None:
        backoff = self.backoff_initial_s
        while not self._closing:
            try:
                await self._session()
                backoff = self.backoff_initial_s
            except AuthenticationFailed as exc:
                self.fatal = exc
                self._connected.clear()
                log.warning("authentication refused by %s: %s", self.url, exc)
                return
            except asyncio.CancelledError:
                raise
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError) as exc:
                if isinstance(exc, InvalidStatus) and exc.response.status_code in (401, 403):
                    self.fatal = AuthenticationFailed(f"HTTP {exc.response.status_code}")
                    return
                log.debug("connection to %s lost: %r", self.url, exc)
            self._connected.clear()
            if self._closing:
                return
            # Jittered exponential backoff: a restarted server is not hit by every phone at once.
            await asyncio.sleep(backoff * (0.5 + random.random()))
            backoff = min(backoff * 2, self.backoff_max_s)

    async def _session(self) -> None:
        async with connect(
            self.url, open_timeout=self.open_timeout_s, compression=None, max_size=2**20, close_timeout=2
        ) as ws:
            self._ws = ws
            await ws.send(orjson.dumps({"type": "auth", "token": self.token, "protocol": PROTOCOL}).decode())
            ready = await self._await_ready(ws)
            self.ready = ready
            self.max_frame_bytes = int(ready.get("max_frame_bytes") or self.max_frame_bytes)
            self.shift = ready.get("shift")
            if self.shift is None and self.want_shift:
                await self._open_shift(ws)
            self.stats.connects += 1
            # Everything unacknowledged goes again, oldest first.
            self._pending = dict.fromkeys(sorted(self.outbox))
            self._paused_until = 0.0
            self._connected.set()
            self._wake.set()
            reader = asyncio.create_task(self._reader(ws))
            writer = asyncio.create_task(self._writer(ws))
            try:
                done, _ = await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()  # re-raise the reason the session ended
            finally:
                self._connected.clear()
                self.stats.disconnects += 1
                for task in (reader, writer):
                    task.cancel()
                await asyncio.gather(reader, writer, return_exceptions=True)
                self._ws = None

    async def _await_ready(self, ws: ClientConnection) -> dict:
        try:
            async with asyncio.timeout(self.open_timeout_s):
                while True:
                    msg = orjson.loads(await ws.recv())
                    kind = msg.get("type")
                    if kind == "ready":
                        return msg
                    if kind == "error":
                        raise AuthenticationFailed(f"{msg.get('code')}: {msg.get('reason')}")
        except ConnectionClosed as exc:
            if exc.rcvd is not None and exc.rcvd.code in FATAL_CLOSE_CODES:
                raise AuthenticationFailed(f"closed {exc.rcvd.code}: {exc.rcvd.reason}") from exc
            raise

    async def _open_shift(self, ws: ClientConnection) -> None:
        """Start a shift before sending pings (off shift they would be refused)."""
        await ws.send('{"type":"shift","action":"start"}')
        async with asyncio.timeout(self.open_timeout_s):
            while True:
                msg = orjson.loads(await ws.recv())
                if msg.get("type") == "shift" and msg.get("state") == "on":
                    self.shift = msg.get("shift")
                    return
                if msg.get("type") == "error" and msg.get("seq") is None and msg.get("code") != "live_unavailable":
                    raise ConnectionError(f"shift not started: {msg.get('code')}: {msg.get('reason')}")

    async def end_shift(self, timeout: float = 10.0) -> dict | None:
        """Send what is in the outbox, then end the shift; returns the server's shift frame."""
        self.want_shift = False
        await self.flush(timeout)
        ws = self._ws
        if ws is None:
            raise ConnectionError("not connected")
        self._shift_changed.clear()
        await ws.send('{"type":"shift","action":"end"}')
        await asyncio.wait_for(self._shift_changed.wait(), timeout)
        return self._last_shift_frame

    async def _reader(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                self._handle(orjson.loads(raw))
        except ConnectionClosed as exc:
            if exc.rcvd is not None and exc.rcvd.code in FATAL_CLOSE_CODES:
                raise AuthenticationFailed(f"closed {exc.rcvd.code}: {exc.rcvd.reason}") from exc
            if exc.rcvd is not None and exc.rcvd.code == CLOSE_FRAME_TOO_BIG:
                self.batch_max = max(1, self.batch_max // 2)
            raise
        raise ConnectionError("server closed the connection")

    async def _writer(self, ws: ClientConnection) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self.linger_s:
                await asyncio.sleep(self.linger_s)
            delay = self._paused_until - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            while self._pending:
                frame, seqs = self._next_frame()
                if not seqs:
                    break
                await ws.send(frame)
                now = time.perf_counter()
                for seq in seqs:
                    if seq in self._sent_at:
                        self.stats.resent += 1
                    self._sent_at[seq] = now
                self.stats.sent += len(seqs)
                self.stats.frames_sent += 1

    def _next_frame(self) -> tuple[str, list[int]]:
        """Up to batch_max pending pings that fit in max_frame_bytes, as one frame."""
        parts: list[bytes] = []
        seqs: list[int] = []
        size = 30  # {"type":"pings","pings":[]}
        budget = self.max_frame_bytes
        for seq in list(self._pending):
            ping = self.outbox.get(seq)
            if ping is None:  # acked or rejected meanwhile
                del self._pending[seq]
                continue
            encoded = orjson.dumps(ping)
            if parts and (size + len(encoded) + 1 > budget or len(parts) >= self.batch_max):
                break
            parts.append(encoded)
            seqs.append(seq)
            size += len(encoded) + 1
            del self._pending[seq]
        if len(parts) == 1:
            ping = self.outbox[seqs[0]]
            return orjson.dumps({"type": "ping", **ping}).decode(), seqs
        return (b'{"type":"pings","pings":[' + b",".join(parts) + b"]}").decode(), seqs

    # -- server frames -----------------------------------------------------------------------

    def _handle(self, msg: dict) -> None:
        kind = msg.get("type")
        if kind == "ack":
            now = time.perf_counter()
            for seq in msg.get("seqs") or ():
                if self.outbox.pop(seq, None) is not None:
                    self.acked_seqs.add(seq)
                    self.stats.acked += 1
                    sent = self._sent_at.pop(seq, None)
                    if sent is not None and len(self.ack_latencies_ms) < self.keep_latencies:
                        self.ack_latencies_ms.append((now - sent) * 1000.0)
                else:
                    self.stats.duplicate_acks += 1
            self._check_drained()
        elif kind == "error":
            self.stats.errors += 1
            code = str(msg.get("code"))
            self.stats.error_codes[code] = self.stats.error_codes.get(code, 0) + 1
            seq = msg.get("seq")
            if seq is not None and self.outbox.pop(seq, None) is not None:
                # Refused for good (malformed, out of range, too old…): resending cannot help.
                self.rejected[seq] = code
                self.stats.rejected += 1
                self._sent_at.pop(seq, None)
                self._check_drained()
        elif kind == "warning":
            self.stats.warnings += 1
        elif kind == "shift":
            self.shift = msg.get("shift") if msg.get("state") == "on" else None
            self._last_shift_frame = msg
            self._shift_changed.set()
        elif kind == "throttle":
            seqs = [s for s in msg.get("seqs") or () if s in self.outbox]
            self.stats.throttled += len(seqs)
            wait_s = max(0.0, float(msg.get("retry_after_ms") or 0) / 1000.0)
            self._paused_until = max(self._paused_until, time.monotonic() + wait_s)
            # Dropped pings go back to the front of the queue, in order.
            self._pending = dict.fromkeys(sorted(set(seqs) | set(self._pending)))
            self._wake.set()
        if self.on_message is not None:
            self.on_message(msg)

    def _check_drained(self) -> None:
        if not self.outbox:
            self._drained.set()
