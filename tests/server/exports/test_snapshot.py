"""`quadriller snapshot` writes one self-contained HTML file, and that file draws the map in
Chromium with every network request blocked."""

from __future__ import annotations

import asyncio
import io
import json
import re

import pytest

from server.cli import main as cli
from server.exports.deck import campaign_deck_async, team_color
from server.exports.snapshot import EXTERNAL_REF, self_contained_html, write_snapshot
from tests.server.exports.conftest import STALE_AFTER_S


async def test_cli_writes_the_snapshot(field_day, tmp_path, capsys):
    out = tmp_path / "brief" / "paris.html"
    code = await asyncio.to_thread(
        cli, ["snapshot", "--campaign", field_day.slug, "--out", str(out), "--at", field_day.at.isoformat()]
    )
    stdout, stderr = capsys.readouterr()
    assert code == 0, stderr
    report = json.loads(stdout)
    assert report["out"] == str(out) and report["bytes"] == out.stat().st_size
    assert report["polling_stations"] == 902 and report["districts"] == 20
    assert report["volunteers"] == 3  # the default stale window is 300 s, as in the test's data
    assert report["coverage_hexes"] == len(field_day.coverage(9))
    assert report["at"] == field_day.at.isoformat() and report["since"] == field_day.day_start.isoformat()
    text = out.read_text(encoding="utf-8")
    assert "<title>Paris (tests) — " in text
    assert "createDeck" in text  # deck.gl is inlined...
    head = text[: text.index("<script")]
    tail = text[text.rindex("</script>", 0, text.index("const jsonInput")) :]
    assert not EXTERNAL_REF.search(head) and not EXTERNAL_REF.search(tail)  # ...and nothing is linked
    assert not list(tmp_path.glob("brief/*.tmp"))


async def test_cli_refuses_unknown_campaign_and_bad_time(tmp_path, capsys):
    code = await asyncio.to_thread(cli, ["snapshot", "--campaign", "nope", "--out", str(tmp_path / "x.html")])
    assert code == 2 and "no campaign 'nope'" in capsys.readouterr().err
    code = await asyncio.to_thread(
        cli, ["snapshot", "--campaign", "nope", "--out", str(tmp_path / "x.html"), "--at", "tomorrow"]
    )
    assert code == 2 and "ISO 8601" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


async def test_names_cannot_end_the_script(field_day, conn):
    deck, _ = await campaign_deck_async(conn, field_day.slug, field_day.at, stale_after_s=STALE_AFTER_S)
    deck.layers[0].data["features"][0]["properties"]["name"] = "</script><script>alert(1)</script>"
    page = self_contained_html(deck, "t")
    body = page[page.index("const jsonInput") :]
    assert "</script><script>alert" not in body and "\\u003c/script\\u003e" in body


def _pixel(img, x: float, y: float) -> tuple[int, int, int]:
    return img.getpixel((round(x), round(y)))[:3]


def _close(a, b, tol: int = 14) -> bool:
    return all(abs(int(p) - int(q)) <= tol for p, q in zip(a, b))


@pytest.mark.browser
async def test_snapshot_draws_offline(field_day, conn, tmp_path, browser):
    from PIL import Image

    deck, data = await campaign_deck_async(conn, field_day.slug, field_day.at, stale_after_s=STALE_AFTER_S)
    path = tmp_path / "snapshot.html"
    write_snapshot(deck, path, "offline test")
    url = path.as_uri()

    context = await browser.new_context(viewport={"width": 1200, "height": 800}, service_workers="block")
    attempted, aborted = [], []

    async def only_the_file(route):
        if route.request.url == url:
            await route.continue_()
        else:
            aborted.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_the_file)
    page = await context.new_page()
    page.on("request", lambda r: attempted.append(r.url))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        await page.goto(url)
        await page.wait_for_function(
            """() => typeof deckInstance !== 'undefined' && deckInstance.isInitialized
                     && deckInstance.layerManager.getLayers().length >= 4
                     && deckInstance.layerManager.getLayers().every(l => l.isLoaded)""",
            timeout=60_000,
        )
        # Loaded is not drawn: wait for two more animation frames to be painted after that.
        await page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        await page.wait_for_function("() => !deckInstance.needsRedraw({clearRedrawFlags: false})", timeout=30_000)
        points = await page.evaluate(
            """(pts) => pts.map(([lon, lat]) => deckInstance.getViewports()[0].project([lon, lat]))""",
            [[v["lon"], v["lat"]] for v in data.volunteers],
        )
        legend = await page.inner_text(".deck-json-description-box")
        png = await page.screenshot()
    finally:
        await context.close()

    assert errors == []
    assert attempted == [url], f"requests other than the file: {attempted}"
    assert aborted == []
    assert "3 volunteers active" in legend and "Turnout, europeennes-2024" in legend

    img = Image.open(io.BytesIO(png)).convert("RGB")
    background = (13, 16, 23)
    w, h = img.size
    # The map area right of the legend box: polygons cover a good share of it.
    drawn = sum(1 for x in range(360, w, 6) for y in range(0, h, 6) if not _close(_pixel(img, x, y), background, 6))
    total = len(range(360, w, 6)) * len(range(0, h, 6))
    assert drawn / total > 0.25, f"only {drawn}/{total} sampled pixels differ from the background"
    # Each volunteer's dot is drawn where its position projects, in its team colour.
    for v, (x, y) in zip(data.volunteers, points):
        assert 0 <= x < w and 0 <= y < h
        want = tuple(team_color(v["team"])[:3])
        assert _close(_pixel(img, x, y), want), (v["v"], _pixel(img, x, y), want)
    # And the stations' choropleth is there: many distinct viridis-like colours.
    colours = {tuple(c // 8 for c in _pixel(img, x, y)) for x in range(360, w, 10) for y in range(0, h, 10)}
    assert len(colours) > 30
    assert re.search(r"\d+ hexagons walked", legend)
