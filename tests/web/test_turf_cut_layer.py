"""HQ's Cut control offers the campaign's layers as the households' source: picked, a station that
has addresses is cut by that layer's households (H3 cells, drawn as hexagons) instead of by doors;
"automatic" stays the default."""

from __future__ import annotations

import pytest

from tests.conftest import GRID_200M, add_user, bearer

pytestmark = pytest.mark.browser
STATION, LAYER = "11-13", "insee_households"


async def test_hq_cuts_a_station_by_the_households_of_a_layer_it_picks(browser, live_server, pool, paris, client):
    from server.layers.loading import import_layer
    from server.layers.reader import LayerOptions, read_layer_file

    slug = paris["slug"]
    hq = await add_user(pool, slug, "coordinator", "Layer cutter")
    async with pool.acquire() as c:  # paris is shared: the layer and the turfs go in the finally
        await import_layer(
            c, paris["id"], LAYER, read_layer_file(GRID_200M, LayerOptions(value_field="men")), "men", None
        )
    page = await browser.new_page(viewport={"width": 1300, "height": 1000})
    try:
        await page.goto(f"{live_server}/?campaign={slug}#token={hq['token']}")
        await page.wait_for_function("document.body.dataset.layersLoaded === 'true'", timeout=90_000)
        await page.fill("#search", STATION)
        await page.press("#search", "Enter")
        await page.wait_for_selector("#turf-layer-label:not([hidden])", timeout=10_000)
        assert await page.input_value("#turf-layer") == ""  # automatic by default
        await page.select_option("#turf-layer", LAYER)
        await page.fill("#turf-doors", "300")
        await page.click("#turf-cut")
        await page.wait_for_selector("#turf-list li[data-turf]", timeout=30_000)
        assert "households" in await page.inner_text("#turf-list")
        await page.wait_for_function(
            "() => window.__quadriller.deck.props.layers.some(l => l.id === 'turf-cells' && l.props.data.length > 0)",
            timeout=15_000,
        )
        turfs = (
            await client.get(f"/api/campaigns/{slug}/stations/{STATION}/turfs", headers=bearer(hq["token"]))
        ).json()["turfs"]
        assert turfs and all(t["doors"] == 0 and t["households"] > 0 and t["cells"] for t in turfs)
    finally:
        await page.close()
        async with pool.acquire() as c:
            await c.execute("DELETE FROM turfs WHERE campaign_id = $1", paris["id"])
            await c.execute("DELETE FROM layers WHERE campaign_id = $1 AND name = $2", paris["id"], LAYER)
