"""bench.apps' load generator: closed-loop HTTP/1.1 keep-alive connections, like wrk.

Runs in a process of its own (the server it measures must not share its event loop), on uvloop,
with raw asyncio streams: a request is one bytes %-format, a response is parsed just enough
(status line, Content-Length, body). Each request is a new fix of the next volunteer in turn:
its time is the send time in milliseconds, kept above that volunteer's previous one, so no two
requests carry the same fix (the apps' seq is the device time in ms).
"""

from __future__ import annotations

import array
import asyncio
import base64
import random
import time
from dataclasses import dataclass, field

# Paris, within the périphérique: every fix lands in some polling station.
LAT0, LAT1, LON0, LON1 = 48.83, 48.89, 2.28, 2.40


@dataclass
class Load:
    """What one generator process is asked to do."""

    host: str
    port: int
    protocol: str  # "owntracks" | "osmand"
    accounts: list[tuple[str, str]]  # (login, device token), this process's share
    connections: int
    start_at: float  # wall clock: requests before it are warm-up
    end_at: float
    campaign: str | None = None  # ?campaign=… (a volunteer in several campaigns)
    once: bool = False  # one request per volunteer, then stop (priming: logins, states, area index)


@dataclass
class Result:
    requests: int = 0  # answered within the window
    ok: int = 0  # 200 answers within the window
    stored_hint: int = 0  # 200 answers without X-Quadriller-Not-Stored, within the window
    statuses: dict[int, int] = field(default_factory=dict)
    socket_errors: int = 0
    latencies_ms: array.array = field(default_factory=lambda: array.array("f"))
    all_ok: int = 0  # every 200 answer, warm-up included (what must be stored)
    all_stored_hint: int = 0


class Fixes:
    """The next request of each volunteer, in turn."""

    def __init__(self, load: Load) -> None:
        self.protocol = load.protocol
        rng = random.Random(hash(load.accounts[0]) if load.accounts else 0)
        self.accounts = load.accounts
        self.auth = [b"Basic " + base64.b64encode(f"{login}:{token}".encode()) for login, token in load.accounts]
        self.spots = [(rng.uniform(LAT0, LAT1), rng.uniform(LON0, LON1)) for _ in load.accounts]
        self.last_ms = [0] * len(load.accounts)
        self.next = 0
        self.left = len(load.accounts) if load.once else -1  # requests still to send (-1: no end)
        self.query = f"&campaign={load.campaign}" if load.campaign else ""

    def request(self) -> bytes | None:
        if self.left == 0:
            return None
        self.left -= 1
        i = self.next
        self.next = (i + 1) % len(self.accounts)
        t_ms = max(int(time.time() * 1000), self.last_ms[i] + 1)
        self.last_ms[i] = t_ms
        lat, lon = self.spots[i]
        lat += random.uniform(-0.0005, 0.0005)
        lon += random.uniform(-0.0005, 0.0005)
        if self.protocol == "owntracks":
            body = (
                b'{"_type":"location","lat":%.6f,"lon":%.6f,"tst":%.3f,"acc":12,"alt":40,"vel":4,'
                b'"cog":90,"batt":80,"tid":"VO"}' % (lat, lon, t_ms / 1000.0)
            )
            path = b"/api/owntracks" + (b"?" + self.query[1:].encode() if self.query else b"")
            return (
                b"POST %s HTTP/1.1\r\nHost: bench\r\nAuthorization: %s\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (path, self.auth[i], len(body), body)
            )
        token = self.accounts[i][1]
        return (
            b"GET /api/osmand?id=%s&lat=%.6f&lon=%.6f&timestamp=%d&accuracy=12&speed=2&bearing=90&batt=80%s HTTP/1.1\r\nHost: bench\r\n\r\n"
            % (
                token.encode(),
                lat,
                lon,
                t_ms,
                self.query.encode(),
            )
        )


async def _response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """(status, stored hint) of one response; raises on a closed connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    lower = head.lower()
    at = lower.find(b"\r\ncontent-length:")
    if at >= 0:
        end = lower.index(b"\r\n", at + 2)
        length = int(lower[at + 17 : end])
    if length:
        await reader.readexactly(length)
    return status, b"x-quadriller-not-stored" not in lower


async def _connection(load: Load, fixes: Fixes, res: Result) -> None:
    while time.time() < load.end_at:
        try:
            reader, writer = await asyncio.open_connection(load.host, load.port)
        except OSError:
            res.socket_errors += 1
            await asyncio.sleep(0.05)
            continue
        try:
            while True:
                sent = time.time()
                request = fixes.request()
                if sent >= load.end_at or request is None:
                    return
                writer.write(request)
                status, stored = await _response(reader)
                done = time.time()
                if status == 200:
                    res.all_ok += 1
                    res.all_stored_hint += stored
                if sent >= load.start_at and done <= load.end_at:
                    res.requests += 1
                    res.statuses[status] = res.statuses.get(status, 0) + 1
                    res.latencies_ms.append((done - sent) * 1000.0)
                    if status == 200:
                        res.ok += 1
                        res.stored_hint += stored
        except (OSError, asyncio.IncompleteReadError, ValueError):
            res.socket_errors += 1
        finally:
            writer.close()


async def _run(load: Load) -> Result:
    res = Result()
    fixes = Fixes(load)
    await asyncio.gather(*(_connection(load, fixes, res) for _ in range(load.connections)))
    return res


def generator_entry(load: Load, out) -> None:
    """Process entry: run the load, put (Result, CPU seconds of this process) on `out`."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is a dependency of uvicorn[standard]
        pass
    res = asyncio.run(_run(load))
    out.put((res, time.process_time()))
