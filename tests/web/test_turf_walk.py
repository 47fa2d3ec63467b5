"""A team sent to one turf of a station: the phone lists that turf's doors in route order (the
street-side walk improved by 2-opt), not the whole station's."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import add_user, bearer
from tests.helpers.doors import doors_of
from tests.helpers.teams import make_team, volunteers

pytestmark = pytest.mark.browser

STATION = "11-15"


async def test_phone_shows_the_turf_route(stack, browser, pool, paris, client):  # noqa: F811
    slug = paris["slug"]
    hq = bearer((await add_user(pool, slug, "coordinator", "Turf HQ"))["token"])
    try:
        turfs = (
            await client.post(f"/api/campaigns/{slug}/stations/{STATION}/turfs", json={"doors": 40}, headers=hq)
        ).json()["turfs"]
        assert len(turfs) >= 2
        vols = await volunteers(pool, slug, 1, "TurfWalker")
        team = await make_team(client, slug, hq, f"TW {vols[0]['login']}", vols)
        r = await client.post(
            f"/api/campaigns/{slug}/dispatch/assignments",
            json={"team": team["id"], "station": STATION, "turf": turfs[1]["id"]},
            headers=hq,
        )
        assert r.status_code == 201, r.text
        route = (await client.get(f"/api/campaigns/{slug}/turfs/{turfs[1]['id']}/route", headers=hq)).json()
        ctx = await browser.new_context(viewport={"width": 400, "height": 800})
        try:
            page = await ctx.new_page()
            await page.goto(f"{stack}/volunteer?campaign={slug}#token={vols[0]['token']}")
            await page.wait_for_selector(f"#walk-list[data-turf='{turfs[1]['id']}'] button[data-door]", timeout=20_000)
            shown = await page.eval_on_selector_all(
                "#walk-list button[data-door]", "els => els.map(e => Number(e.dataset.door))"
            )
            assert shown == [s["id"] for s in route["stops"]] and len(shown) == turfs[1]["doors"]
            assert f"{turfs[1]['doors']} doors" in await page.inner_text("#walk-summary")
        finally:
            await ctx.close()
    finally:
        async with pool.acquire() as c:  # leave the shared campaign as it was
            await c.execute("UPDATE assignments SET turf_id = NULL WHERE campaign_id = $1", paris["id"])
            await c.execute("DELETE FROM turfs WHERE campaign_id = $1", paris["id"])


async def test_hq_cuts_a_station_into_turfs_and_draws_their_routes(stack, browser, pool, paris, client):  # noqa: F811
    """…and shows each turf's coverage today: doors knocked (of its doors) and opened."""
    slug = paris["slug"]
    hq = await add_user(pool, slug, "coordinator", "Turf cutter HQ")
    walker = await add_user(pool, slug, "volunteer", "Turf knocker")
    door = (await doors_of(pool, paris["id"], STATION))[0]
    r = await client.post(
        f"/api/campaigns/{slug}/doors/outcomes",
        json={"address": door, "outcome": "opened", "client_id": str(uuid.uuid4())},
        headers=bearer(walker["token"]),
    )
    assert r.status_code == 201, r.text
    page = await browser.new_page(locale="en-GB", viewport={"width": 1300, "height": 1000})
    try:
        await page.goto(f"{stack}/?campaign={slug}#token={hq['token']}")
        await page.wait_for_function("document.body.dataset.layersLoaded === 'true'", timeout=90_000)
        await page.fill("#search", STATION)  # the search box picks the station
        await page.press("#search", "Enter")
        await page.wait_for_selector("#turfs:not([hidden])", timeout=10_000)
        assert await page.inner_text("#turf-station") == STATION
        await page.fill("#turf-doors", "50")
        await page.click("#turf-cut")
        await page.wait_for_selector("#turf-list li[data-turf]", timeout=15_000)
        n = len(await page.query_selector_all("#turf-list li[data-turf]"))
        assert n >= 3
        await page.wait_for_function(
            "n => window.__quadriller.deck.props.layers.some(l => l.id === 'turf-routes' && l.props.data.length === n)",
            arg=n,
            timeout=15_000,
        )
        listed = (
            await client.get(f"/api/campaigns/{slug}/stations/{STATION}/turfs", headers=bearer(hq["token"]))
        ).json()["turfs"]
        assert sum(x["knocked"] for x in listed) >= 1 and sum(x["opened"] for x in listed) >= 1
        for x in listed:
            shown = await page.inner_text(f"#turf-list li[data-turf='{x['id']}'] .turf-coverage")
            assert f"{x['knocked']}/{x['doors']} doors knocked, {x['opened']} opened" in shown, shown
    finally:
        await page.close()
        async with pool.acquire() as c:
            await c.execute("DELETE FROM turfs WHERE campaign_id = $1", paris["id"])
