"""Dispatch end to end in two browsers: a volunteer on shift shares their location from the
phone page; HQ's dispatch panel suggests where to send their team; HQ clicks "Send"; the phone
shows the assignment within 2 seconds."""

from __future__ import annotations

import time

import pytest

from tests.conftest import add_user, bearer
from tests.ingest.conftest import stored, user_id
from tests.servers import until

pytestmark = pytest.mark.browser


async def test_hq_sends_a_team_and_the_phone_shows_it(stack, browser, pool, paris, client):  # noqa: F811
    slug = paris["slug"]
    hq = await add_user(pool, slug, "coordinator", "Dispatcher")
    vol = await add_user(pool, slug, "volunteer", "Runner")
    vid = await user_id(pool, vol["login"])
    r = await client.post(
        f"/api/campaigns/{slug}/teams",
        json={"name": f"Team {vol['login']}", "members": [vid]},
        headers=bearer(hq["token"]),
    )
    team = r.json()["id"]

    phone_ctx = await browser.new_context(
        geolocation={"latitude": 48.8867, "longitude": 2.3431, "accuracy": 8},
        permissions=["geolocation"],
        viewport={"width": 400, "height": 800},
    )
    hq_page = await browser.new_page(viewport={"width": 1300, "height": 1000})
    try:
        phone = await phone_ctx.new_page()
        await phone.goto(f"{stack}/volunteer?campaign={slug}#token={vol['token']}")
        await phone.wait_for_selector("body[data-state=idle]", timeout=15_000)
        await phone.check("#consent-box")
        await phone.click("#start")
        await phone.wait_for_selector("body[data-state=on]", timeout=10_000)

        async def has_fix():
            return await stored(pool, vid)

        await until(has_fix, what="the phone's first fix")
        assert await phone.is_hidden("#assignment")

        await hq_page.goto(f"{stack}/?campaign={slug}#token={hq['token']}")
        await hq_page.wait_for_function("document.body.dataset.layersLoaded === 'true'", timeout=90_000)
        row = f"#dispatch-list li[data-team='{team}']"
        await hq_page.wait_for_selector(row, timeout=10_000)
        station = await hq_page.get_attribute(row, "data-station")
        assert "km" in await hq_page.inner_text(row)  # the team has a live position: a distance
        assert f"→ {station}: rank " in await hq_page.inner_text(f"{row} .summary")  # explained in one line
        # the suggestion shows as an arc from the team to the station on the map
        arcs = await hq_page.evaluate(
            "() => window.__quadriller.deck.props.layers.filter(l => l.id === 'dispatch-arcs')"
            ".map(l => l.props.data.map(d => d.team))"
        )
        assert arcs and team in arcs[0]
        sent = time.monotonic()
        await hq_page.click(f"{row} button")
        await phone.wait_for_selector(f"#assignment[data-station='{station}']", timeout=2_000)
        assert time.monotonic() - sent < 2.0
        assert station in await phone.inner_text("#assignment-station")
        await hq_page.wait_for_function(
            "s => document.getElementById('dispatch-note').textContent.includes(s)", arg=station
        )
        # the decision is kept: who, when, what was suggested
        decisions = (await client.get(f"/api/campaigns/{slug}/dispatch/decisions", headers=bearer(hq["token"]))).json()
        mine = [d for d in decisions if d["team"] == team]
        assert [(d["decision"], d["chosen"]) for d in mine] == [("accepted", station)]
        assert mine[0]["decided_by_name"] == "Dispatcher" and f"→ {station}" in mine[0]["suggestion"]["summary"]
        # the phone lists the station's doors in walking order, from where the volunteer stands
        walk = (
            await client.get(
                f"/api/campaigns/{slug}/stations/{station}/walk",
                params={"lon": 2.3431, "lat": 48.8867},
                headers=bearer(vol["token"]),
            )
        ).json()
        assert walk["doors"] > 0
        door = "#walk-list button[data-door]"
        await phone.wait_for_selector(door, timeout=10_000)
        shown = await phone.eval_on_selector_all(door, "els => els.map(e => Number(e.dataset.door))")
        assert shown == [s["id"] for s in walk["stops"]]
        assert f"{walk['doors']} doors" in await phone.inner_text("#walk-summary")
        for i, outcome in ((0, "not_home"), (1, "opened")):  # two doors done, each with its outcome
            await phone.click(f"{door} >> nth={i}")
            await phone.click(f"#door-outcome button[data-outcome={outcome}]")
        assert await phone.eval_on_selector_all(f"{door}.done", "els => els.length") == 2

        # a reload still shows it (from /dispatch/mine), and the doors done (kept on the phone)
        await phone.reload()
        await phone.wait_for_selector(f"#assignment[data-station='{station}']", timeout=10_000)
        await phone.wait_for_selector(f"{door}.done", timeout=10_000)
        done = await phone.eval_on_selector_all(f"{door}.done", "els => els.map(e => Number(e.dataset.door))")
        assert sorted(done) == sorted(shown[:2])
        # ending the shift asks for the report, with the doors done as doors knocked
        await phone.click("#end")
        await phone.wait_for_selector("#report-prompt", state="visible", timeout=10_000)
        assert await phone.input_value("#rep-knocked") == "2"
    finally:
        await hq_page.close()
        await phone_ctx.close()
