"""HQ's first load: the stations are drawn from their `fields=map` answer (no lists' figures),
then the figures arrive and complete the same features: list metrics, tooltip's leading lists."""

from __future__ import annotations

import pytest

from tests.conftest import add_user
from tests.helpers.web import open_map

pytestmark = pytest.mark.browser


async def test_stations_drawn_from_the_map_answer_then_completed_with_their_figures(paris, pool, browser, live_server):
    user = await add_user(pool, paris["slug"], "coordinator")
    page, errors = await open_map(browser, live_server, user["token"], paris["slug"])
    requests = await page.evaluate(
        """() => performance.getEntriesByType('resource').map(e => new URL(e.name))
            .filter(u => u.pathname.endsWith('/areas') && u.searchParams.get('level') === 'polling_station')
            .map(u => u.searchParams.get('fields'))"""
    )
    # one request per part, the drawable one first; never the whole answer
    assert requests == ["map", "figures"]
    first_draw, figures_asked = await page.evaluate(
        """() => [window.__quadriller.firstDraw.polling_station,
                  performance.getEntriesByType('resource').find(e => e.name.includes('fields=figures')).startTime]"""
    )
    assert figures_asked >= first_draw  # the figures never hold up the first draw

    # the lists' figures reached the drawn features: list metrics offered, leading lists shown
    options = await page.eval_on_selector_all("#metric option", "os => os.map(o => o.value)")
    assert any(o.startswith("list:") for o in options)
    list_metric = next(o for o in options if o.startswith("list:"))
    await page.select_option("#metric", list_metric)
    await page.wait_for_function(f"document.getElementById('legend').dataset.metric === {list_metric!r}")
    canvas = await page.locator("canvas").first.bounding_box()
    x, y = await page.evaluate("() => window.__quadriller.deck.getViewports()[0].project([2.3522, 48.8914])")
    await page.mouse.move(canvas["x"] + x, canvas["y"] + y)
    await page.wait_for_function(
        "document.getElementById('tooltip') && !document.getElementById('tooltip').hidden"
        " && document.querySelectorAll('#tooltip .tt-lists li').length === 3",
        timeout=30_000,
    )
    assert errors == []
    await page.close()
