"""Driving HQ's map in Chromium."""

from __future__ import annotations


async def open_map(browser, live_server, token: str, slug: str):
    page = await browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(f"{live_server}/?campaign={slug}#token={token}")
    await page.wait_for_function("document.body.dataset.layersLoaded === 'true'", timeout=90_000)
    return page, errors
