"""Failed logins (issue 12, item 7) are throttled per IP and per login and cached, on a pool of
their own; unauthenticated websockets are capped per IP (item 5), on ingest and on HQ's /ws/live."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest
import websockets

from ingest.auth import DeviceAuth, TooManyFailures
from server.errors import Unauthenticated
from tests.ingest.conftest import ServerThread, make_settings
from tests.server.live.conftest import LiveServer


class CountingPool:
    """The real pool, counting acquisitions: a cached or throttled failure must not query."""

    def __init__(self, pool) -> None:
        self.pool, self.acquired = pool, 0

    def acquire(self, **kw):
        self.acquired += 1
        return self.pool.acquire(**kw)


async def test_failures_are_cached_then_throttled_per_ip_and_login(pool, campaign):
    counting = CountingPool(pool)
    auth = DeviceAuth(counting, failures_per_min=60.0, failures_burst=3)  # type: ignore[arg-type]
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            await auth.authenticate("qdd_bad", login="mallory", device_only=True, ip="203.0.113.9")
    assert counting.acquired == 1  # the same bad credentials: one query, then the cached failure
    with pytest.raises(TooManyFailures) as refused:
        await auth.authenticate("qdd_other", login="someone", device_only=True, ip="203.0.113.9")
    assert refused.value.extra["retry_after_ms"] > 0
    with pytest.raises(TooManyFailures):  # the login's budget too, from another address
        await auth.authenticate("qdd_again", login="mallory", device_only=True, ip="198.51.100.7")
    assert counting.acquired == 1
    with pytest.raises(Unauthenticated):  # another address and login: its own budget
        await auth.authenticate("qdd_x", login="bob", device_only=True, ip="198.51.100.8")
    assert counting.acquired == 2


async def test_http_app_answers_429_with_retry_after_when_throttled(settings):
    server = await asyncio.to_thread(ServerThread(make_settings(settings, login_failures_burst=2)).start)
    try:
        async with httpx.AsyncClient(base_url=server.http_url, timeout=20) as http:
            codes = [
                (
                    await http.get(
                        "/api/osmand",
                        params={"id": f"qdd_bad{i}", "lat": "48.85", "lon": "2.35", "timestamp": "1767225600"},
                    )
                ).status_code
                for i in range(3)
            ]
            r = await http.get(
                "/api/osmand", params={"id": "qdd_bad9", "lat": "48.85", "lon": "2.35", "timestamp": "1767225600"}
            )
    finally:
        await asyncio.to_thread(server.stop)
    assert codes[:2] == [403, 403] and codes[2] == 429 and r.status_code == 429
    assert int(r.headers["retry-after"]) >= 1


async def unauthenticated_sockets_allowed(url: str, tries: int) -> int:
    """How many of `tries` sockets opened from here, none sending anything, were kept open: the
    others are closed at once with 1013, "try again later" (a refusal a client retries)."""
    async with contextlib.AsyncExitStack() as stack:
        accepted = 0
        for _ in range(tries):
            ws = await stack.enter_async_context(websockets.connect(url))
            try:
                await asyncio.wait_for(ws.recv(), 0.5)  # an open socket waits for our auth frame
            except TimeoutError:
                accepted += 1
            except websockets.ConnectionClosed as exc:
                assert exc.rcvd is not None and exc.rcvd.code == 1013, exc
        return accepted


async def test_unauthenticated_sockets_are_capped_per_ip(settings):
    capped = settings.model_copy(
        update={"unauthenticated_sockets_per_ip": 3, "ingest_auth_timeout_s": 5.0, "live_auth_timeout_s": 5.0}
    )
    ingest = await asyncio.to_thread(ServerThread(capped).start)
    hq = await asyncio.to_thread(LiveServer(capped).start)
    try:
        assert await unauthenticated_sockets_allowed(ingest.ws_url, 5) == 3
        assert await unauthenticated_sockets_allowed(hq.url, 5) == 3
    finally:
        await asyncio.to_thread(ingest.stop)
        await asyncio.to_thread(hq.stop)
