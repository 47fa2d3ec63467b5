"""The HTTP apps under load (issue 13): many concurrent requests on a small Redis pool, clients
that hang up mid-request, and commits that never wait for a fuller batch when none is in flight."""

from __future__ import annotations

import asyncio
import base64
import logging
import time

import httpx
import orjson
import pytest
import redis.asyncio as aioredis

from ingest.app import REDIS_CLIENT_NAME
from tests.conftest import add_user, start_shift
from tests.ingest.conftest import ServerThread, make_settings, stored, user_id
from tests.servers import until


def location(tst: float) -> dict:
    return {"_type": "location", "lat": 48.8606, "lon": 2.3376, "tst": tst, "acc": 12}


@pytest.fixture
async def server(settings, request):
    """An ingest service of its own, with the settings the test asks for (indirect param)."""
    srv = await asyncio.to_thread(ServerThread(make_settings(settings, **request.param)).start)
    yield srv
    await asyncio.to_thread(srv.stop)


async def on_shift(pool, campaign, n: int) -> list[dict]:
    vols = []
    for i in range(n):
        vol = await add_user(pool, campaign["slug"], "volunteer", f"V{i}")
        vol["id"] = await user_id(pool, vol["login"])
        await start_shift(pool, campaign["id"], vol["id"])
        vols.append(vol)
    return vols


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage() + ("\n" + repr(record.exc_info) if record.exc_info else ""))


@pytest.fixture
def server_log():
    """Every line the server logs (uvicorn's own loggers do not reach caplog: no propagation)."""
    handler = Lines()
    names = ("", "uvicorn")  # ingest.* propagate to the root; uvicorn.error to uvicorn, which stops there
    for name in names:
        logging.getLogger(name).addHandler(handler)
    ingest_log = logging.getLogger("ingest")
    level = ingest_log.level
    ingest_log.setLevel(logging.INFO)
    yield handler.lines
    ingest_log.setLevel(level)
    for name in names:
        logging.getLogger(name).removeHandler(handler)


POOL = dict(redis_max_connections=4, redis_prefix="t13pool")


@pytest.mark.parametrize("server", [POOL], indirect=True)
async def test_200_concurrent_requests_on_a_pool_of_4_redis_connections(server, pool, campaign, redis_url, server_log):
    """200 requests at once, each volunteer due a state reload (idle past resync_idle_s): every
    one answered 200 and stored, no pool error, and the ingest never held more Redis
    connections than QUADRILLER_REDIS_MAX_CONNECTIONS."""
    vols = await on_shift(pool, campaign, 20)
    now = int(time.time()) - 20  # within the shift (started just now, give or take the clock slack)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=server.http_url, timeout=30, limits=limits) as http:
        for vol in vols:  # known to this process, logins cached
            auth = (vol["login"], vol["device_token"])
            assert (await http.post("/api/owntracks", json=location(now), auth=auth)).status_code == 200
        await asyncio.sleep(1.2)  # past resync_idle_s: each next request reloads its volunteer's state

        async def fix(vol: dict, k: int) -> int:
            r = await http.post("/api/owntracks", json=location(now + 1 + k), auth=(vol["login"], vol["device_token"]))
            return r.status_code

        codes = await asyncio.gather(*(fix(vol, k) for vol in vols for k in range(10)))
    assert codes == [200] * 200
    for vol in vols:
        assert len(await stored(pool, vol["id"], "owntracks")) == 11
    problems = [line for line in server_log if "connections" in line.lower() or "redis" in line.lower()]
    assert problems == []
    client = aioredis.from_url(redis_url)
    try:
        mine = [c for c in await client.client_list() if c.get("name") == f"{REDIS_CLIENT_NAME}-t13pool"]
    finally:
        await client.aclose()
    assert 0 < len(mine) <= 4


async def raw_request(port: int, head: bytes, body: bytes, wait_answer: bool) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head + body)
    await writer.drain()
    answer = b""
    if wait_answer:
        answer = await asyncio.wait_for(reader.read(65536), 10)
    writer.close()
    return answer


def owntracks_head(vol: dict, length: int) -> bytes:
    basic = base64.b64encode(f"{vol['login']}:{vol['device_token']}".encode())
    return (
        b"POST /api/owntracks HTTP/1.1\r\nHost: t\r\nAuthorization: Basic %s\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (basic, length)
    )


async def test_client_hanging_up_mid_request_logs_no_traceback(ingest, pool, volunteer, server_log):
    """Clients that close the connection before their answer: those whose body was incomplete
    (nothing stored) and one that sent the whole fix (stored if the server had read it before
    the close, else not: uvicorn drops a body it has not handed over yet). At most one short
    line each, no traceback; and the app's resend is answered and stored exactly once."""
    port = ingest.port
    tst = int(time.time()) - 30
    body = orjson.dumps(location(tst))
    for _ in range(3):
        await raw_request(port, owntracks_head(volunteer, len(body)), body[: len(body) // 2], wait_answer=False)
    whole = orjson.dumps(location(tst + 1))
    await raw_request(port, owntracks_head(volunteer, len(whole)), whole, wait_answer=False)
    await until(lambda: _logged(server_log, "disconnected"), what="the short line")
    answer = await raw_request(port, owntracks_head(volunteer, len(whole)), whole, wait_answer=True)
    assert answer.startswith(b"HTTP/1.1 200")
    rows = await stored(pool, volunteer["id"], "owntracks")
    assert [r["seq"] for r in rows] == [(tst + 1) * 1000]
    assert not [line for line in server_log if "Traceback" in line or "Exception in ASGI" in line or "exc_info" in line]
    assert len([line for line in server_log if "disconnected" in line]) <= 4


async def _logged(lines: list[str], word: str) -> bool:
    return any(word in line for line in lines)


@pytest.mark.parametrize(
    "server", [dict(ingest_batch_wait_ms=60_000.0, ingest_http_commit_timeout_s=5.0)], indirect=True
)
async def test_a_lone_fix_is_committed_without_waiting_for_a_fuller_batch(server, pool, volunteer):
    """With nothing being committed, a batch goes at once (group commit): batch_wait only
    applies while another commit is in flight. Before, a lone fix waited batch_wait (here 60 s)
    and its answer timed out (503)."""
    async with httpx.AsyncClient(base_url=server.http_url, timeout=30) as http:
        auth = (volunteer["login"], volunteer["device_token"])
        for k in range(3):
            r = await http.post("/api/owntracks", json=location(int(time.time()) - 10 + k), auth=auth)
            assert r.status_code == 200, r.text
    assert len(await stored(pool, volunteer["id"], "owntracks")) == 3


def test_access_log_off_unless_asked(settings):
    """One access line per app request cost about a fifth of the CPU per request: the ingest's
    uvicorn runs without it by default; QUADRILLER_INGEST_ACCESS_LOG=1 turns it back on."""
    from ingest.app import uvicorn_config

    assert uvicorn_config(settings, "127.0.0.1", 1).access_log is False
    assert uvicorn_config(settings.model_copy(update={"ingest_access_log": True}), "127.0.0.1", 1).access_log is True
