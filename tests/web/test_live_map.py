"""A ping sent through the ingest protocol shows on the HQ map within 2 seconds; starting and
ending a shift show in the activity feed and the on-shift counter."""

from __future__ import annotations

import time

import orjson
import pytest
import websockets

from tests.conftest import add_user
from tests.helpers.web import open_map
from tests.ingest.conftest import ServerThread, make_settings

pytestmark = pytest.mark.browser


async def test_ping_reaches_the_map_within_2_s(paris, pool, settings, browser, live_server):
    import asyncio

    ingest = await asyncio.to_thread(ServerThread(make_settings(settings)).start)
    try:
        hq = await add_user(pool, paris["slug"], "coordinator")
        volunteer = await add_user(pool, paris["slug"], "volunteer", "Walker", agreed=True)
        page = await browser.new_page(viewport={"width": 1200, "height": 800})
        await page.goto(f"{live_server}/?campaign={paris['slug']}#token={hq['token']}")
        await page.wait_for_function("document.body.dataset.layersLoaded === 'true'", timeout=90_000)
        await page.wait_for_function("window.__quadriller.live && window.__quadriller.live.connected", timeout=30_000)
        before = await page.evaluate("window.__quadriller.live.volunteers")

        on_shift = await page.evaluate("window.__quadriller.live.onShift")  # as of the snapshot
        async with websockets.connect(ingest.ws_url) as ws:
            await ws.send(orjson.dumps({"type": "auth", "token": volunteer["token"], "protocol": 1}).decode())
            ready = orjson.loads(await ws.recv())
            assert ready["type"] == "ready"
            vid = ready["volunteer"]
            # Starting a shift shows in the activity feed and the on-shift counter.
            await ws.send('{"type":"shift","action":"start"}')
            assert orjson.loads(await ws.recv())["state"] == "on"
            await page.wait_for_selector(
                f'#live-feed li[data-kind="shift_start"][data-volunteer="{vid}"]', timeout=5_000
            )
            await page.wait_for_function(
                f"document.querySelector('[data-live=\"onShift\"]').textContent === '{on_shift + 1}'", timeout=5_000
            )
            sent = time.monotonic()
            await ws.send(
                orjson.dumps(
                    {"type": "ping", "seq": 1, "t": time.time(), "lat": 48.8914, "lon": 2.3522, "acc": 6}
                ).decode()
            )
            await page.wait_for_function(f"window.__quadriller.live.volunteers > {before}", timeout=2_000)
            seen = time.monotonic() - sent
            assert seen < 2.0
            ack = orjson.loads(await ws.recv())
            assert ack == {"type": "ack", "seqs": [1]}
            # Ending it takes the volunteer off the map, says so in the feed, and counts them off.
            await ws.send('{"type":"shift","action":"end"}')
            assert orjson.loads(await ws.recv())["state"] == "off"
            await page.wait_for_selector(f'#live-feed li[data-kind="shift_end"][data-volunteer="{vid}"]', timeout=5_000)
            # (the 2 s promise is for pings; a loaded machine may take longer to take them off)
            await page.wait_for_function(f"window.__quadriller.live.volunteers === {before}", timeout=8_000)
            text = await page.inner_text(f'#live-feed li[data-kind="shift_end"][data-volunteer="{vid}"]')
            assert f"#{vid}" in text and ("shift" in text or "service" in text)
            assert int(await page.inner_text('[data-live="onShift"]')) == on_shift
            # "gone" is not listed as well: the end of shift says why they left
            assert await page.query_selector(f'#live-feed li[data-kind="gone"][data-volunteer="{vid}"]') is None
        await page.close()
    finally:
        await asyncio.to_thread(ingest.stop)


# Real Paris places (lon, lat): two at the Louvre, four elsewhere in Paris. Ids far above the
# test users' so that nothing else in the shared Paris campaign clashes with them.
LOUVRE = {9_100_001: (2.3376, 48.8606), 9_100_002: (2.3371, 48.8638)}
ELSEWHERE = {
    9_100_003: (2.2945, 48.8584),  # the Eiffel tower
    9_100_004: (2.3431, 48.8867),  # Sacré-Cœur
    9_100_005: (2.3692, 48.8532),  # Bastille
    9_100_006: (2.3553, 48.8809),  # Gare du Nord
}


async def test_zoomed_in_the_map_gets_its_view_one_by_one_and_counts_for_the_rest(
    paris, pool, redis_url, browser, live_server
):
    import redis.asyncio as aioredis

    from server.redis import volunteer_state_key

    hq = await add_user(pool, paris["slug"], "coordinator")
    key = volunteer_state_key(paris["id"])
    redis = aioredis.from_url(redis_url)
    now = time.time()
    for v, (lon, lat) in {**LOUVRE, **ELSEWHERE}.items():
        state = {"type": "ping", "v": v, "team": None, "seq": 1, "t": now, "rt": int(now * 1000), "lon": lon,
                 "lat": lat, "acc": 8, "hdg": None, "spd": None, "bat": None, "cell": None, "ps": None, "nb": None,
                 "ds": None, "zone": None, "ev": None, "low_acc": False}  # fmt: skip
        await redis.hset(key, str(v), orjson.dumps(state))
    try:
        page, errors = await open_map(browser, live_server, hq["token"], paris["slug"])
        await page.wait_for_function("window.__quadriller.live && window.__quadriller.live.connected", timeout=30_000)
        # All of Paris in view: everyone one by one, nothing counted apart.
        await page.wait_for_function("window.__quadriller.live.volunteers >= 6", timeout=10_000)
        before = await page.evaluate("window.__quadriller.live.volunteers")
        # Zoomed in on the Louvre (1400 × 900 px at zoom 16: the view and its margin reach neither
        # Bastille nor the Eiffel tower): the four elsewhere leave the store and come back as counts.
        await page.evaluate("""() => window.__quadriller.deck.setProps({initialViewState:
            {longitude: 2.3375, latitude: 48.8615, zoom: 16, pitch: 0, bearing: 0, minZoom: 3, maxZoom: 19}})""")
        await page.wait_for_function(
            f"window.__quadriller.live.outside >= 4 && window.__quadriller.live.volunteers <= {before - 4}",
            timeout=10_000,
        )
        shown = await (
            await page.wait_for_function(
                """() => {
            const l = window.__quadriller.deck.props.layers.find(l => l.id === 'live-aggregates');
            return l && l.props.visible && l.props.data.length ? l.props.data.map(h => h.hex) : null;
        }""",
                timeout=10_000,
            )
        ).json_value()
        assert len(shown) >= 4
        # The panel still counts the campaign, not the view: from the server's totals frames.
        await page.wait_for_function(
            f"document.querySelector('[data-count=\"volunteers\"]').textContent.replace(/\\D/g, '') === '{before}'",
            timeout=10_000,
        )
        assert not errors, errors
        await page.close()
    finally:
        await redis.hdel(key, *map(str, {**LOUVRE, **ELSEWHERE}))
        await redis.aclose()
