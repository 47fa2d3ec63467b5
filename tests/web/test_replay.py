"""The HQ map replays a recorded period: the clock runs, volunteers move along their recorded
walks, live volunteers are hidden, and the coverage hexes grow."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from PIL import Image

from tests.conftest import add_user
from tests.server.history.conftest import insert_pings, station_points, user_id

pytestmark = pytest.mark.browser

WALK_S = 600  # each volunteer walks for 10 minutes, a ping every 5 s, in a straight line
WALKS = [("1-4", "4-49"), ("11-12", "11-14"), ("18-60", "18-61")]  # from one polling place to another


def magenta_pixels(png: bytes) -> int:
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    return int(((r > 170) & (g < 110) & (b > 130) & (r - g > 100)).sum())


def where(walk, t0: float, clock_s: float) -> tuple[float, float]:
    (lon0, lat0), (lon1, lat1) = walk
    f = min(1.0, max(0.0, (clock_s - t0) / WALK_S))
    return lon0 + (lon1 - lon0) * f, lat0 + (lat1 - lat0) * f


async def test_replay_moves_volunteers_and_grows_coverage(paris, pool, browser, live_server):
    hq = await add_user(pool, paris["slug"], "coordinator", "HQ")
    ids = [
        await user_id(pool, (await add_user(pool, paris["slug"], "volunteer", f"Walker {i}"))["login"])
        for i in range(3)
    ]
    points = station_points()
    walks = [(points[a], points[b]) for a, b in WALKS]

    page = await browser.new_page(viewport={"width": 1200, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(f"{live_server}/?campaign={paris['slug']}#token={hq['token']}")
    await page.wait_for_function("document.body.dataset.layersLoaded === 'true'", timeout=90_000)

    # The walk ended 10 minutes ago, inside one local day of the browser (else an hour earlier).
    local = (
        "ms => { const d = new Date(ms), p = n => String(n).padStart(2, '0'); "
        "return [`${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`, `${p(d.getHours())}:${p(d.getMinutes())}`]; }"
    )
    t0 = float(int(time.time()) - WALK_S - 600)
    if (await page.evaluate(local, (t0 - 120) * 1000))[0] != (await page.evaluate(local, (t0 + WALK_S + 120) * 1000))[
        0
    ]:
        t0 -= 3600
    rows = []
    for v, walk in zip(ids, walks):
        for k in range(WALK_S // 5 + 1):
            rows.append((v, t0 + 5 * k, *where(walk, t0, t0 + 5 * k)))
    await insert_pings(pool, paris["id"], rows)

    day, start = await page.evaluate(local, (t0 - 60) * 1000)
    _, end = await page.evaluate(local, (t0 + WALK_S + 120) * 1000)
    await page.fill("#replay-date", day)
    await page.fill("#replay-from", start)
    await page.fill("#replay-to", end)
    await page.select_option("#replay-speed", "60")
    # Software GL draws the 902 stations at a few frames per second: without them the replay runs
    # smoothly even on a loaded machine, and the hex colour is measured on a plain background.
    await page.uncheck("#toggle-polling_station")
    # Frame the three walks (zoom 13.2: res-9 hexes).
    await page.evaluate("""() => window.__quadriller.deck.setProps({initialViewState:
        {longitude: 2.362, latitude: 48.872, zoom: 13.2, pitch: 0, bearing: 0, minZoom: 3, maxZoom: 19}})""")
    await page.wait_for_timeout(300)
    canvas = page.locator("#map canvas").first
    box = await canvas.bounding_box()
    before = magenta_pixels(await page.screenshot(clip=box))

    await page.click("#replay-play")
    await page.wait_for_function(
        "window.__quadriller.replay.playing && window.__quadriller.replay.volunteers >= 3", timeout=10_000
    )
    first = await page.evaluate("({...window.__quadriller.replay, shown: null})")
    await page.wait_for_function(f"window.__quadriller.replay.clock > {(t0 + 360) * 1000}", timeout=15_000)
    await page.click("#replay-play")  # pause
    await page.wait_for_function("!window.__quadriller.replay.playing", timeout=10_000)
    await page.wait_for_timeout(400)  # the paused frame is drawn

    state = await page.evaluate("""() => {
        const r = window.__quadriller.replay, vp = window.__quadriller.deck.getViewports()[0];
        const live = window.__quadriller.deck.props.layers.find(l => l.id === 'live-volunteers');
        return {clock: r.clock, hexes: r.hexes, volunteers: r.volunteers, liveVisible: live ? live.props.visible : null,
                shown: r.shown.map(p => ({id: p.id, lon: p.lon, lat: p.lat, xy: vp.project([p.lon, p.lat])})),
                text: document.getElementById('replay-clock').textContent};
    }""")
    # the clock ran at about ×60 from the start of the recording
    assert first["clock"] < (t0 + 120) * 1000  # it starts at the first recorded position
    assert state["clock"] > first["clock"] + 300_000
    assert state["text"] != "--:--:--"
    assert state["liveVisible"] is False  # live volunteers are hidden during a replay

    # each walker is where the recording puts it at that clock (straight walks: exact interpolation)
    shown = {p["id"]: p for p in state["shown"]}
    for v, walk in zip(ids, walks):
        p = shown[str(v)]
        lon, lat = where(walk, t0, state["clock"] / 1000)
        assert p["lon"] == pytest.approx(lon, abs=3e-5) and p["lat"] == pytest.approx(lat, abs=3e-5), v
        # and it is drawn there: picking at its screen position finds a replayed volunteer
        x, y = p["xy"]
        assert 0 < x < box["width"] and 0 < y < box["height"]
        picked = await page.evaluate(
            "([x, y]) => (window.__quadriller.deck.pickObjects({x: x - 3, y: y - 3, width: 7, height: 7, "
            "layerIds: ['replay-volunteers']}) || []).map(o => o.object.id)",
            [x, y],
        )
        assert str(v) in picked

    # the coverage hexes grew, and they are on screen
    assert state["hexes"] > first["hexes"] >= 1
    during = magenta_pixels(await page.screenshot(clip=box))
    assert during > before + 1500, (before, during)

    # back to live: replayed volunteers gone, live layers visible again
    await page.click("#replay-stop")
    await page.wait_for_function(
        "window.__quadriller.replay.volunteers === 0 && !window.__quadriller.replay.playing", timeout=10_000
    )
    visible = await page.evaluate(
        "() => window.__quadriller.deck.props.layers.find(l => l.id === 'live-volunteers').props.visible"
    )
    assert visible is True
    # the coverage toggle shows the period's hexes without a replay
    await page.check("#toggle-coverage")
    await page.wait_for_function(f"window.__quadriller.replay.hexes >= {state['hexes']}", timeout=10_000)
    coarse = await page.evaluate("({...window.__quadriller.replay, shown: null})")
    assert coarse["res"] == 9
    # zooming past a resolution threshold refetches finer hexes
    await page.evaluate(
        "() => window.__quadriller.deck.setProps({initialViewState: {longitude: 2.352, latitude: 48.858,"
        " zoom: 14.8, pitch: 0, bearing: 0, minZoom: 3, maxZoom: 19}})"
    )
    await page.wait_for_function(
        f"window.__quadriller.replay.res === 10 && window.__quadriller.replay.hexes > {coarse['hexes']}", timeout=10_000
    )
    assert errors == []
    await page.close()
