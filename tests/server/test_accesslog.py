"""No secret and no position in any log line, for the HQ server and the ingest service, run as
`quadriller serve` and `quadriller ingest` run them."""

from __future__ import annotations

import asyncio
import logging
import time

import httpx
import websockets

from ingest.app import uvicorn_config as ingest_config
from server.accesslog import strip_query
from server.app import uvicorn_config as hq_config
from tests.ingest.conftest import make_settings
from tests.servers import UvicornThread, free_port

SECRET, LAT, LON = "qdd_SeCrEt0123456789", "48.8566", "2.3522"


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


async def _logged_lines(config, requests) -> list[str]:
    server = await asyncio.to_thread(UvicornThread(config).start)
    handler = Lines()
    loggers = [logging.getLogger(n) for n in ("uvicorn.access", "uvicorn.error")]
    for lg in loggers:
        lg.addHandler(handler)
    try:
        await requests(server)
        await asyncio.sleep(0.3)  # the access line is written after the response
    finally:
        for lg in loggers:
            lg.removeHandler(handler)
        await asyncio.to_thread(server.stop)
    return handler.lines


def _assert_clean(lines: list[str], path: str) -> None:
    assert any(f"{path}?…" in line for line in lines), lines  # the request was logged...
    for line in lines:  # ...without what its query string held
        assert SECRET not in line and LAT not in line and LON not in line, line


async def test_ingest_logs_no_token_and_no_position(settings):
    query = {"id": SECRET, "lat": LAT, "lon": LON, "timestamp": str(int(time.time()))}

    async def requests(server):
        async with httpx.AsyncClient(base_url=server.http_url) as http:
            r = await http.get("/api/osmand", params=query)
            assert r.status_code == 403  # unknown device: still logged, still clean
        url = f"ws://127.0.0.1:{server.port}/ws/pings?token={SECRET}&lat={LAT}"
        async with websockets.connect(url) as ws:
            await ws.close()

    config = ingest_config(make_settings(settings), "127.0.0.1", free_port(), log_level="info")
    lines = await _logged_lines(config, requests)
    _assert_clean(lines, "/api/osmand")
    _assert_clean(lines, "/ws/pings")


async def test_hq_server_logs_no_query_string(settings):
    async def requests(server):
        async with httpx.AsyncClient(base_url=server.http_url) as http:
            await http.get("/api/me", params={"token": SECRET, "lon": LON, "lat": LAT})

    config = hq_config(settings.model_copy(update={"host": "127.0.0.1", "port": free_port()}))
    _assert_clean(await _logged_lines(config, requests), "/api/me")


def test_strip_query_keeps_the_path_only():
    assert strip_query(f"/api/osmand?id={SECRET}&lat={LAT}") == "/api/osmand?…"
    assert strip_query("/api/me") == "/api/me"
    assert strip_query("GET") == "GET" and strip_query(200) == 200
