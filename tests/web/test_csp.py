"""The HQ map and the phone page under the real Content-Security-Policy: they load, draw, and
trigger no policy violation (the other browser tests bypass the CSP, see conftest.py)."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.conftest import add_user

pytestmark = pytest.mark.browser

WATCH = (
    "document.addEventListener('securitypolicyviolation', e => "
    "(window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI));"
)


async def until(page, expression: str, timeout: float):
    """Poll with page.evaluate (run by the debugger protocol, not eval: the CSP allows it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await page.evaluate(expression):
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"timed out waiting for {expression}")


@pytest.mark.parametrize(
    "path, role, loaded",
    [
        ("/", "admin", "document.body.dataset.layersLoaded === 'true'"),
        ("/volunteer", "volunteer", "document.body.dataset.state === 'idle'"),
    ],
)
async def test_pages_work_under_the_policy(paris, pool, browser, live_server, path, role, loaded):
    user = await add_user(pool, paris["slug"], role, "CSP check")
    context = await browser.new_context(bypass_csp=False, viewport={"width": 1200, "height": 800})
    page = await context.new_page()
    await page.add_init_script(WATCH)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.on("pageerror", lambda e: console.append(str(e)))
    try:
        response = await page.goto(f"{live_server}{path}?campaign={paris['slug']}#token={user['token']}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        await until(page, loaded, 90)
        assert await page.evaluate("window.__csp || []") == []
        assert not [m for m in console if "Content Security Policy" in m], console
    finally:
        await context.close()
