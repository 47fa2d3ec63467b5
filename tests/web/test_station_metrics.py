"""Polling stations coloured by priority and by coverage (volunteers there today), from the
server's ranking, on the real Paris stations: a station many volunteers canvassed today turns to
the top of the ramp under "coverage" and drops under "priority", and its card says both."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import numpy as np
import pytest
from PIL import Image

from tests.conftest import add_user, bearer
from tests.helpers.canvass import canvass
from tests.helpers.web import open_map

pytestmark = pytest.mark.browser

CROWD = 12  # volunteers in the station today: more than any other test puts in one station


async def colour_at(page, lon: float, lat: float) -> np.ndarray:
    """Mean RGB of a 7x7 block of the map around a point (both canvases, as seen)."""
    canvas = await page.locator("#map canvas").first.bounding_box()
    x, y = await page.evaluate(f"() => window.__quadriller.deck.getViewports()[0].project([{lon}, {lat}])")
    png = await page.screenshot(clip={"x": canvas["x"] + x - 3, "y": canvas["y"] + y - 3, "width": 7, "height": 7})
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).mean(axis=0)


async def test_priority_and_coverage_choropleths(paris, pool, browser, live_server, client):
    hq = await add_user(pool, paris["slug"], "coordinator")
    api = f"/api/campaigns/{paris['slug']}/priorities"
    top = (await client.get(api, params={"limit": 1}, headers=bearer(hq["token"]))).json()["stations"][0]
    base = 8_000_000 + uuid.uuid4().int % 1_000_000
    await canvass(
        pool,
        paris["id"],
        top["code"],
        list(range(base, base + CROWD)),
        dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=30),
    )
    ranked = (await client.get(api, params={"limit": 100000}, headers=bearer(hq["token"]))).json()["stations"]
    mine = next(s for s in ranked if s["code"] == top["code"])
    assert mine["visits"]["volunteers"] >= CROWD
    most = max(s["visits"]["volunteers"] for s in ranked)
    async with pool.acquire() as c:
        lon, lat = await c.fetchrow(
            "SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM areas "
            "WHERE campaign_id = $1 AND level = 'polling_station' AND code = $2",
            paris["id"],
            top["code"],
        )

    page, errors = await open_map(browser, live_server, hq["token"], paris["slug"])
    try:
        # offered once the ranking has arrived
        await page.wait_for_selector("#metric option[value=coverage]", state="attached", timeout=15_000)
        await page.fill("#search", top["code"])
        await page.press("#search", "Enter")
        await page.wait_for_function(
            f"document.getElementById('selection-body').dataset.code === '{top['code']}'", timeout=5_000
        )
        card = await page.inner_text("#selection-body")
        assert f"#{mine['rank']}" in card
        assert f"Volunteers there today\t{mine['visits']['volunteers']}" in card
        await page.mouse.move(2, 2)  # no hover highlight on the station
        # only the areas: other tests leave live volunteers in this shared campaign, some of them
        # standing at stations' inner points
        for layer in ("volunteers", "presence", "coverage"):
            await page.uncheck(f"#toggle-{layer}")
        await page.wait_for_timeout(2000)  # the fly-to animation

        await page.select_option("#metric", "coverage")
        await page.wait_for_function("document.getElementById('legend').dataset.metric === 'coverage'")
        assert (await page.inner_text("#legend-max")).replace("\u202f", "").replace(",", "") == str(most)
        await page.wait_for_timeout(1000)
        covered = await colour_at(page, lon, lat)

        await page.select_option("#metric", "priority")
        await page.wait_for_function("document.getElementById('legend').dataset.metric === 'priority'")
        await page.wait_for_timeout(1000)
        prioritised = await colour_at(page, lon, lat)
        # viridis: yellow at the top (R+G high, B low), purple at the bottom
        warm = lambda c: c[0] + c[1] - c[2]  # noqa: E731
        if mine["visits"]["volunteers"] == most:
            assert warm(covered) > warm(prioritised) + 100, (covered, prioritised)
        else:
            assert warm(covered) > warm(prioritised), (covered, prioritised)
        assert errors == []
    finally:
        await page.close()
