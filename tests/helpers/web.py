"""Driving HQ's map in Chromium."""

from __future__ import annotations

import time

from playwright.async_api import TimeoutError as PlaywrightTimeout


async def open_map(browser, live_server, token: str, slug: str):
    page = await browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(f"{live_server}/?campaign={slug}#token={token}")
    await page.wait_for_function("document.body.dataset.layersLoaded === 'true'", timeout=90_000)
    return page, errors


async def hover_until(page, lonlat: tuple[float, float], shown: str, timeout_s: float = 60.0) -> int:
    """Hover the map at (lon, lat) until the JS expression `shown` (about #tooltip) holds; returns
    the number of pointer moves it took, AssertionError after `timeout_s`.

    deck.gl picks on pointer moves only. On a loaded machine under SwiftShader the page may say
    its layers are loaded (main.ts also marks them after 5 s without a frame) before the stations
    are drawn and pickable: a single move then shows nothing, and nothing retries it. So wait for
    the stations' first draw, then move onto the point again (1 px apart, so that each is a new
    move) until the tooltip shows."""
    await page.wait_for_function(
        "window.__quadriller && window.__quadriller.firstDraw && "
        "window.__quadriller.firstDraw.polling_station !== undefined",
        timeout=timeout_s * 1000,
    )
    deadline = time.monotonic() + timeout_s
    moves = 0
    while True:
        box = await page.locator("canvas").first.bounding_box()
        x, y = await page.evaluate(
            "([lon, lat]) => window.__quadriller.deck.getViewports()[0].project([lon, lat])", list(lonlat)
        )
        await page.mouse.move(box["x"] + x + moves % 2, box["y"] + y)
        moves += 1
        try:
            await page.wait_for_function(shown, timeout=3_000)
            return moves
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                tooltip = await page.evaluate("document.getElementById('tooltip')?.outerHTML ?? null")
                raise AssertionError(
                    f"no tooltip for {lonlat} after {moves} pointer moves in {timeout_s:.0f} s: {tooltip}"
                ) from None
