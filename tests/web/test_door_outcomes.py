"""Door outcomes and a contact from the phone's walk list, recorded with no network and sent
once when it is back: the outcomes reach the server once each, the refused door leaves the walk
list, and a contact is saved only with the consent box ticked."""

from __future__ import annotations

import uuid

import pytest

from server.consent.texts import current_version
from tests.conftest import add_user, set_vocabulary
from tests.ingest.conftest import user_id
from tests.helpers.doors import station_doors
from tests.servers import until

pytestmark = pytest.mark.browser


async def outcomes(pool, vid: int) -> list[tuple[int, str]]:
    async with pool.acquire() as c:
        return [
            tuple(r)
            for r in await c.fetch("SELECT address_id, outcome FROM door_outcomes WHERE user_id = $1 ORDER BY id", vid)
        ]


async def test_door_outcomes_offline_then_online(stack, browser, pool, paris):  # noqa: F811
    slug = paris["slug"]
    await set_vocabulary(pool, paris["id"])
    vol = await add_user(pool, slug, "volunteer", "Walker")
    vid = await user_id(pool, vol["login"])
    (st,) = await station_doors(pool, paris["id"])
    async with pool.acquire() as c:  # the team was sent to this station
        team = await c.fetchval(
            "INSERT INTO teams (campaign_id, name) VALUES ($1, $2) RETURNING id",
            paris["id"],
            "doors-" + uuid.uuid4().hex[:6],
        )
        await c.execute("INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)", team, vid)
        await c.execute(
            "INSERT INTO assignments (campaign_id, team_id, area_id) SELECT $1, $2, id FROM areas "
            "WHERE campaign_id = $1 AND level = 'polling_station' AND code = $3",
            paris["id"],
            team,
            st["code"],
        )
    ctx = await browser.new_context(locale="en-GB", viewport={"width": 400, "height": 900})
    try:
        phone = await ctx.new_page()
        await phone.goto(f"{stack}/volunteer?campaign={slug}#token={vol['token']}")
        door = "#walk-list button[data-door]"
        await phone.wait_for_selector(door, timeout=15_000)
        shown = await phone.eval_on_selector_all(door, "els => els.map(e => Number(e.dataset.door))")
        assert sorted(shown) == sorted(st["doors"])

        await ctx.set_offline(True)
        await phone.click(f"{door} >> nth=0")
        await phone.click("#door-outcome button[data-outcome=refused]")
        await phone.click(f"{door} >> nth=1")
        await phone.click("#door-outcome button[data-outcome=contact]")
        await phone.wait_for_selector("#contact", state="visible")
        await phone.fill("#c-name", "Zoé Martin")
        await phone.fill("#c-phone", "06 12 34 56 78")
        await phone.check("#c-tags input[value=logement]")
        await phone.click("#c-save")  # the box is not ticked: nothing is kept
        assert "No consent, no contact" in await phone.inner_text("#contact-status")
        assert await phone.evaluate(f"localStorage.getItem('quadriller.phone.{slug}.contacts')") is None
        await phone.check("#c-consent")
        await phone.select_option("#c-support", "4")
        await phone.click("#c-save")
        await phone.wait_for_selector("#contact", state="hidden")
        await phone.wait_for_function("document.getElementById('door-status').dataset.waiting === '2'", timeout=10_000)
        assert "2 door(s) waiting" in await phone.inner_text("#door-status")
        assert await outcomes(pool, vid) == []  # nothing reached the server yet

        await ctx.set_offline(False)  # the page's 'online' event, or its 15 s retry, sends them
        await phone.wait_for_function("document.getElementById('door-status').dataset.waiting === '0'", timeout=20_000)
        assert await outcomes(pool, vid) == [(shown[0], "refused"), (shown[1], "contact")]  # once each
        async with pool.acquire() as c:
            contact = await until(
                lambda: c.fetchrow("SELECT * FROM contacts WHERE added_by = $1", vid), timeout=20.0, what="the contact"
            )
        assert (
            contact["name"],
            contact["phone"],
            list(contact["topics"]),
            contact["support"],
            contact["consent_version"],
            contact["consent_lang"],
        ) == ("Zoé Martin", "06 12 34 56 78", ["logement"], 4, current_version("contact"), "en")
        assert await phone.evaluate(f"localStorage.getItem('quadriller.phone.{slug}.doors')") is None

        await phone.reload()  # the refused door is not proposed again today
        await phone.wait_for_selector(door, timeout=15_000)
        again = await phone.eval_on_selector_all(door, "els => els.map(e => Number(e.dataset.door))")
        assert shown[0] not in again and shown[1] in again and len(again) == len(shown) - 1
        assert await outcomes(pool, vid) == [(shown[0], "refused"), (shown[1], "contact")]
    finally:
        await ctx.close()
