"""A real HQ server (uvicorn, in a thread) and headless Chromium, for browser tests."""

from __future__ import annotations

import asyncio

import pytest
import uvicorn

from server.app import create_app
from tests.ingest.conftest import ServerThread, make_settings
from tests.servers import UvicornThread, free_port
from bench.chromium import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def live_server(settings):
    if not (settings.web_dist / "index.html").exists():
        pytest.fail("web/dist is missing: scripts/test.sh builds it (cd web && npm ci && npm run build)")
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=free_port(), log_level="warning", ws="websockets-sansio"
    )
    server = UvicornThread(config, "HQ server").start()
    yield server.http_url
    server.stop()


class CspBypassingBrowser:
    """The browser, whose pages bypass the Content-Security-Policy unless a test asks otherwise:
    Playwright's wait_for_function evaluates its predicate with eval, which the app's CSP
    (rightly) forbids. tests/web/test_csp.py loads the pages under the real policy."""

    def __init__(self, browser) -> None:
        self._browser = browser

    async def new_context(self, **kw):
        kw.setdefault("bypass_csp", True)
        return await self._browser.new_context(**kw)

    async def new_page(self, **kw):
        kw.setdefault("bypass_csp", True)
        return await self._browser.new_page(**kw)

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
async def browser():
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield CspBypassingBrowser(b)
        await b.close()


@pytest.fixture
async def stack(settings):
    """Ingest, and an HQ server whose /api/config sends phones to it."""
    ingest = await asyncio.to_thread(ServerThread(make_settings(settings)).start)
    web_settings = settings.model_copy(update={"ingest_public_url": ingest.ws_url})
    hq = UvicornThread(
        uvicorn.Config(
            create_app(web_settings), host="127.0.0.1", port=free_port(), log_level="warning", ws="websockets-sansio"
        ),
        "HQ server",
    )
    await asyncio.to_thread(hq.start)
    yield hq.http_url
    await asyncio.to_thread(hq.stop)
    await asyncio.to_thread(ingest.stop)
