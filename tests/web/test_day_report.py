"""The day report's HTML opens offline: every request that is not a local file is blocked, and
none is even attempted; the plots and the map of the day render."""

from __future__ import annotations

import pytest

from tests.helpers.dayreport import a_day_out, write

pytestmark = pytest.mark.browser


async def test_day_report_html_opens_with_every_outside_request_blocked(client, pool, paris, browser, tmp_path):
    await a_day_out(client, pool, paris)
    await write(paris, tmp_path)
    ctx = await browser.new_context()
    blocked: list[str] = []

    async def only_files(route):
        if route.request.url.startswith(("file:", "data:", "about:")):
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort()

    await ctx.route("**/*", only_files)
    try:
        page = await ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        await page.goto((tmp_path / "index.html").as_uri())
        await page.wait_for_selector("h1")
        assert "Doors by team" in await page.inner_text("body")
        sizes = await page.eval_on_selector_all("img", "els => els.map(e => e.complete && e.naturalWidth)")
        assert sizes and all(sizes)  # every plot decoded (inline PNG)
        frame = page.frame_locator("#map")
        await frame.locator("canvas").first.wait_for(timeout=30_000)  # the snapshot's deck.gl map drew
        assert blocked == [] and errors == []
    finally:
        await ctx.close()
