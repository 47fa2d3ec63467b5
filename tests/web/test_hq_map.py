"""The HQ map in headless Chromium, on the real Paris data served by a real server."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tests.conftest import add_user
from tests.helpers.web import hover_until, open_map

pytestmark = pytest.mark.browser


def drawn_fraction(png: bytes, background: tuple[int, int, int]) -> float:
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    distance = np.abs(img - np.array(background)).sum(axis=2)
    return float((distance > 30).mean())


async def test_map_draws_paris_and_hover_shows_code(paris, pool, browser, live_server):
    user = await add_user(pool, paris["slug"], "coordinator")
    page, errors = await open_map(browser, live_server, user["token"], paris["slug"])
    counts = await page.evaluate("window.__quadriller.counts")
    assert counts == {"district": 20, "neighbourhood": 80, "polling_station": 902}
    # the token left the URL once read
    assert "token" not in page.url

    canvas = page.locator("canvas").first
    box = await canvas.bounding_box()
    # the background colour is what a corner pixel of the canvas shows (outside Paris)
    shot = await page.screenshot(clip=box)
    corner = tuple(np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"))[3, 3].tolist())
    assert drawn_fraction(shot, corner) > 0.15, "too few drawn pixels: the polygons were not drawn"

    # hover the screen position of a known station's interior point: its code shows in the tooltip
    await hover_until(
        page,
        (2.3522, 48.8914),
        "document.getElementById('tooltip') && !document.getElementById('tooltip').hidden && "
        "document.getElementById('tooltip').innerText.includes('18-')",
    )
    text = await page.inner_text("#tooltip")
    assert "18-" in text
    assert errors == []

    # switching the polling-station layer off removes its pixels
    before = drawn_fraction(await page.screenshot(clip=box), corner)
    await page.uncheck("#toggle-polling_station")
    await page.wait_for_timeout(1500)
    after = drawn_fraction(await page.screenshot(clip=box), corner)
    assert after < before
    await page.close()


async def test_map_without_token_asks_for_one(live_server, browser):
    page = await browser.new_page()
    await page.goto(live_server + "/")
    await page.wait_for_timeout(1000)
    assert await page.evaluate("localStorage.getItem('quadriller.token')") is None
    assert "token" in (await page.content()).lower()
    await page.close()
