"""HQ's sign-in in Chromium: the API token from `#token=` (or left in storage by an older page)
becomes a session at once; the browser keeps only the session token, renews it before it expires
(a tiny TTL from the settings), signs out, and shows the sign-in again when the session ends."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import uvicorn

from server.app import create_app
from tests.conftest import add_user, bearer
from tests.servers import UvicornThread, free_port

pytestmark = pytest.mark.browser

TTL_S = 3.0
STORED = "JSON.parse(localStorage.getItem('quadriller.hq.session') || 'null')"
EVERY_VALUE = "Object.keys(localStorage).map(k => localStorage.getItem(k)).join('\\n')"


@pytest.fixture
async def hq_server(settings):
    """The HQ server with a session lifetime of a few seconds, and no grace for replaced tokens."""
    app = create_app(settings.model_copy(update={"hq_session_ttl_s": TTL_S, "hq_session_renew_grace_s": 0}))
    server = UvicornThread(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning", ws="websockets-sansio"),
        "HQ server",
    )
    await asyncio.to_thread(server.start)
    yield server.http_url
    await asyncio.to_thread(server.stop)


async def status_with(url: str, token: str) -> int:
    async with httpx.AsyncClient(base_url=url, timeout=20) as http:
        return (await http.get("/api/me", headers=bearer(token))).status_code


async def test_hq_keeps_only_a_renewed_session(hq_server, browser, pool, campaign):
    hq = await add_user(pool, campaign["slug"], "coordinator", "HQ")
    page = await browser.new_page(locale="en-GB")
    try:
        await page.goto(f"{hq_server}/?campaign={campaign['slug']}#token={hq['token']}")
        await page.wait_for_function(f"{STORED} !== null", timeout=30_000)
        first = await page.evaluate(STORED)
        assert first["token"].startswith("qds_")
        assert "token" not in page.url
        stored = await page.evaluate(EVERY_VALUE)
        assert hq["token"] not in stored and "qd_" not in stored  # no API token anywhere
        assert await page.is_hidden("#login")

        # renewed before it expires: a new token, the old one refused (no grace on this server)
        await page.wait_for_function(f"{STORED} && {STORED}.token !== {first['token']!r}", timeout=30_000)
        renewed = await page.evaluate(STORED)
        assert renewed["token"].startswith("qds_")
        assert await status_with(hq_server, renewed["token"]) == 200
        assert await status_with(hq_server, first["token"]) == 401

        # signing out ends the session on the server at once
        await page.click("#logout")
        await page.wait_for_selector("#login", state="visible", timeout=30_000)
        assert await page.evaluate(STORED) is None
        assert await status_with(hq_server, renewed["token"]) == 401
    finally:
        await page.close()


async def test_an_ended_session_shows_the_sign_in_again(hq_server, browser, pool, campaign):
    hq = await add_user(pool, campaign["slug"], "coordinator", "HQ")
    page = await browser.new_page(locale="en-GB")
    try:
        # an API token stored by an older version of the page is traded for a session, then forgotten
        await page.goto(f"{hq_server}/?campaign={campaign['slug']}")
        await page.evaluate(f"localStorage.setItem('quadriller.token', {hq['token']!r})")
        await page.reload()
        await page.wait_for_function(f"{STORED} !== null", timeout=30_000)
        assert await page.evaluate("localStorage.getItem('quadriller.token')") is None
        session = await page.evaluate(STORED)

        # signed out elsewhere: the next renewal (or request) gets 401 session_expired
        async with httpx.AsyncClient(base_url=hq_server, timeout=20) as http:
            r = await http.delete("/api/sessions/current", headers=bearer(session["token"]))
            assert r.status_code == 204
        await page.wait_for_selector("#login", state="visible", timeout=30_000)
        assert "session has ended" in await page.inner_text("#login-error")
        assert await page.evaluate(STORED) is None

        # signing in again through the box starts a new session
        await page.fill("#login-token", hq["token"])
        await page.click("#login-form button[type=submit]")
        await page.wait_for_function(f"{STORED} !== null && {STORED}.token !== {session['token']!r}", timeout=30_000)
        assert "qd_" not in await page.evaluate(EVERY_VALUE)
    finally:
        await page.close()


async def test_the_phone_pages_token_outlives_hq_in_the_same_browser(hq_server, browser, pool, campaign):
    """A coordinator canvasses too: HQ forgets API tokens it finds in the storage older versions
    shared, so the phone page keeps its own under a key of its own."""
    coordinator = await add_user(pool, campaign["slug"], "coordinator", "Both")
    context = await browser.new_context(locale="en-GB")
    page = await context.new_page()
    try:
        await page.goto(f"{hq_server}/volunteer?campaign={campaign['slug']}#token={coordinator['token']}")
        await page.wait_for_selector("body[data-state=idle]", timeout=30_000)
        await page.goto(f"{hq_server}/?campaign={campaign['slug']}#token={coordinator['token']}")
        await page.wait_for_function(f"{STORED} !== null", timeout=30_000)
        assert "qd_" not in await page.evaluate(STORED + ".token")
        # back on the phone page without its link: still signed in, not asked for the link again
        await page.goto(f"{hq_server}/volunteer?campaign={campaign['slug']}")
        await page.wait_for_selector("body[data-state=idle]", timeout=15_000)
    finally:
        await context.close()
