"""The HQ map's "Live presence" layer: H3 hexes of the volunteers live now, counted server-side
from Redis (/hexes?source=live), drawn in cyan, following the zoom."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import numpy as np
import orjson
import pytest
import redis.asyncio as aioredis
import shapely.geometry
from h3.api import basic_str as h3
from PIL import Image

from server.redis import volunteer_state_key
from server.settings import PROJECT_ROOT
from tests.conftest import add_user

pytestmark = pytest.mark.browser

# (volunteer id, polling station): two volunteers in 1-4, one in 4-49 (~1 km apart). Ids far
# above the test users' so that nothing else in the shared Paris campaign clashes with them.
PLACES = [(9_000_001, "1-4"), (9_000_002, "1-4"), (9_000_003, "4-49")]


def inside_station(code: str) -> tuple[float, float]:
    """A point (lon, lat) inside a polling station's area, from the Paris open data."""
    fc = json.loads(
        (PROJECT_ROOT / "data" / "paris" / "paris_secteurs_bureaux_vote_2024.geojson").read_text(encoding="utf-8")
    )
    shape = next(shapely.geometry.shape(f["geometry"]) for f in fc["features"] if f["properties"]["id_bv"] == code)
    p = shape.representative_point()
    return p.x, p.y


def cyan_pixels(png: bytes) -> int:
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    return int(((r < 90) & (g > 110) & (b > 130) & (g - r > 80) & (b - r > 100)).sum())


async def test_live_presence_hexes(paris, pool, redis_url, browser, live_server):
    hq = await add_user(pool, paris["slug"], "coordinator", "HQ")
    key = volunteer_state_key(paris["id"])
    redis = aioredis.from_url(redis_url)
    now = time.time()
    points = {}
    for i, (v, code) in enumerate(PLACES):
        lon, lat = inside_station(code)
        lon += i * 2e-5  # two volunteers a couple of metres apart in 1-4
        points[v] = (lon, lat)
        state = {
            "type": "ping",
            "v": v,
            "team": None,
            "seq": 1,
            "t": now,
            "rt": int(now * 1000),
            "lon": lon,
            "lat": lat,
            "acc": 8,
            "hdg": None,
            "spd": None,
            "bat": 0.8,
            "cell": h3.latlng_to_cell(lat, lon, 11),
            "ps": code,
            "nb": None,
            "ds": code.split("-")[0],
            "zone": "in",
            "ev": None,
            "low_acc": False,
        }
        await redis.hset(key, str(v), orjson.dumps(state))
    try:
        page = await browser.new_page(viewport={"width": 1200, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        await page.goto(f"{live_server}/?campaign={paris['slug']}#token={hq['token']}")
        await page.wait_for_function("document.body.dataset.layersLoaded === 'true'", timeout=90_000)
        assert await page.evaluate("window.__quadriller.presence") == {"hexes": 0, "res": 0, "fetchedAt": 0}
        # A plain background: no station fills, no live volunteer points over the hexes.
        await page.uncheck("#toggle-polling_station")
        await page.uncheck("#toggle-volunteers")
        # Frame both stations at zoom 14 (res-8 presence hexes).
        await page.evaluate("""() => window.__quadriller.deck.setProps({initialViewState:
            {longitude: 2.3535, latitude: 48.8595, zoom: 14, pitch: 0, bearing: 0, minZoom: 3, maxZoom: 19}})""")
        await page.wait_for_timeout(400)
        canvas = page.locator("#map canvas").first
        box = await canvas.bounding_box()
        before = cyan_pixels(await page.screenshot(clip=box))

        await page.check("#toggle-presence")
        await page.wait_for_function("window.__quadriller.presence.hexes >= 2", timeout=10_000)
        presence = await page.evaluate("({...window.__quadriller.presence})")
        assert presence["res"] == 8
        assert presence["fetchedAt"] > 0
        # the layer reaches the deck on the next (throttled) live redraw, which a busy machine delays
        shown = await (
            await page.wait_for_function(
                """() => {
            const l = window.__quadriller.deck.props.layers.find(l => l.id === 'presence-hexes');
            return l && l.props.data.length >= 2 ? l.props.data.map(h => [h.h3, h.volunteers]) : null;
        }""",
                timeout=10_000,
            )
        ).json_value()
        ours = {h3.cell_to_parent(h3.latlng_to_cell(lat, lon, 11), 8) for lon, lat in points.values()}
        counts = dict(shown)
        assert ours <= set(counts), (ours, shown)
        one_four = h3.cell_to_parent(h3.latlng_to_cell(points[9_000_001][1], points[9_000_001][0], 11), 8)
        assert counts[one_four] >= 2
        await page.wait_for_timeout(600)  # drawn (a live redraw is throttled to ≥ 250 ms apart)
        png = await page.screenshot(clip=box)
        if os.environ.get("QUADRILLER_TEST_SHOTS"):  # a directory to look at the screenshot
            (Path(os.environ["QUADRILLER_TEST_SHOTS"]) / "presence.png").write_bytes(png)
        during = cyan_pixels(png)
        assert during > before + 1500, (before, during)

        # hovering a presence hex tells its volunteers and resolution
        x, y = await page.evaluate(
            "([lon, lat]) => window.__quadriller.deck.getViewports()[0].project([lon, lat])", list(points[9_000_003])
        )
        await page.mouse.move(box["x"] + x, box["y"] + y)
        await page.wait_for_function(
            "document.getElementById('tooltip').dataset.level === 'presence' && "
            "!document.getElementById('tooltip').hidden",
            timeout=10_000,
        )
        text = await page.inner_text("#tooltip")
        if os.environ.get("QUADRILLER_TEST_SHOTS"):
            await page.screenshot(path=str(Path(os.environ["QUADRILLER_TEST_SHOTS"]) / "presence-page.png"))
        assert "8" in text

        # refreshed every 5 s while on
        first = presence["fetchedAt"]
        await page.wait_for_function(f"window.__quadriller.presence.fetchedAt > {first}", timeout=12_000)
        # zooming past a threshold refetches at the finer resolution
        await page.evaluate("""() => window.__quadriller.deck.setProps({initialViewState:
            {longitude: 2.3535, latitude: 48.8595, zoom: 15, pitch: 0, bearing: 0, minZoom: 3, maxZoom: 19}})""")
        await page.wait_for_function("window.__quadriller.presence.res === 9", timeout=10_000)
        # a replay hides the live layers and stops the polling; back to live, it resumes
        await page.click("#replay-play")
        await page.wait_for_function("document.body.dataset.replay !== 'off'", timeout=15_000)
        paused = await page.evaluate("window.__quadriller.presence.fetchedAt")
        await page.wait_for_timeout(5_500)
        assert await page.evaluate("window.__quadriller.presence.fetchedAt") == paused
        await page.click("#replay-stop")
        await page.wait_for_function(f"window.__quadriller.presence.fetchedAt > {paused}", timeout=10_000)
        # off: no hexes, no more polling
        await page.uncheck("#toggle-presence")
        await page.wait_for_function("window.__quadriller.presence.hexes === 0", timeout=5_000)
        off = await page.evaluate("window.__quadriller.presence.fetchedAt")
        await page.wait_for_timeout(5_500)
        assert await page.evaluate("window.__quadriller.presence.fetchedAt") == off
        layers = await page.evaluate("window.__quadriller.deck.props.layers.map(l => l.id)")
        assert "presence-hexes" not in layers
        # the redraw throttle measured live renders
        redraw = await page.evaluate("({...window.__quadriller.redraw})")
        assert redraw["commits"] >= 1 and redraw["intervalMs"] >= 250
        assert errors == []
        await page.close()
    finally:
        await redis.hdel(key, *[str(v) for v, _ in PLACES])
        await redis.aclose()
