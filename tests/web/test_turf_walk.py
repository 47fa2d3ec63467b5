"""A team sent to one turf of a station: the phone lists that turf's doors in route order (the
street-side walk improved by 2-opt), not the whole station's."""
from __future__ import annotations

import pytest

from tests.conftest import add_user, bearer
from tests.server.dispatch.test_dispatch import make_team, volunteers
from tests.web.test_volunteer_page import stack  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

STATION = "11-15"


async def test_phone_shows_the_turf_route(stack, browser, pool, paris, client):  # noqa: F811
    slug = paris["slug"]
    hq = bearer((await add_user(pool, slug, "coordinator", "Turf HQ"))["token"])
    try:
        turfs = (await client.post(f"/api/campaigns/{slug}/stations/{STATION}/turfs", json={"doors": 40},
                                   headers=hq)).json()["turfs"]
        assert len(turfs) >= 2
        vols = await volunteers(pool, slug, 1, "TurfWalker")
        team = await make_team(client, slug, hq, f"TW {vols[0]['login']}", vols)
        r = await client.post(f"/api/campaigns/{slug}/dispatch/assignments",
                              json={"team": team["id"], "station": STATION, "turf": turfs[1]["id"]}, headers=hq)
        assert r.status_code == 201, r.text
        route = (await client.get(f"/api/campaigns/{slug}/turfs/{turfs[1]['id']}/route", headers=hq)).json()
        ctx = await browser.new_context(viewport={"width": 400, "height": 800})
        try:
            page = await ctx.new_page()
            await page.goto(f"{stack}/volunteer?campaign={slug}#token={vols[0]['token']}")
            await page.wait_for_selector(f"#walk-list[data-turf='{turfs[1]['id']}'] button[data-door]", timeout=20_000)
            shown = await page.eval_on_selector_all("#walk-list button[data-door]",
                                                    "els => els.map(e => Number(e.dataset.door))")
            assert shown == [s["id"] for s in route["stops"]] and len(shown) == turfs[1]["doors"]
            assert f"{turfs[1]['doors']} doors" in await page.inner_text("#walk-summary")
        finally:
            await ctx.close()
    finally:
        async with pool.acquire() as c:  # leave the shared campaign as it was
            await c.execute("UPDATE assignments SET turf_id = NULL WHERE campaign_id = $1", paris["id"])
            await c.execute("DELETE FROM turfs WHERE campaign_id = $1", paris["id"])
