"""HQ's "Where to go next" list: the top-ranked stations nobody canvassed today; a click selects one."""

from __future__ import annotations

import pytest

from tests.conftest import add_user, bearer

pytestmark = pytest.mark.browser


async def test_next_stations_listed_and_clickable(paris, pool, browser, live_server, client):
    hq = await add_user(pool, paris["slug"], "coordinator")
    ranked = (
        await client.get(
            f"/api/campaigns/{paris['slug']}/priorities",
            params={"limit": 8, "unvisited": "true"},
            headers=bearer(hq["token"]),
        )
    ).json()
    expected = [s["code"] for s in ranked["stations"] if s["score"] is not None]
    page = await browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        await page.goto(f"{live_server}/?campaign={paris['slug']}#token={hq['token']}")
        await page.wait_for_function("document.body.dataset.layersLoaded === 'true'", timeout=90_000)
        await page.wait_for_selector("#next-list li[data-code]", timeout=10_000)
        shown = await page.eval_on_selector_all("#next-list li[data-code]", "els => els.map(e => e.dataset.code)")
        assert shown == expected and len(shown) == 8
        await page.click(f"#next-list li[data-code='{shown[0]}']")
        await page.wait_for_function(
            f"document.getElementById('selection-body').dataset.code === '{shown[0]}'", timeout=5_000
        )
    finally:
        await page.close()
