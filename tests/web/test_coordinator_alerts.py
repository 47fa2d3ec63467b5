"""An SOS in a team reaches its coordinator: on their phone page (open, not on shift) at once,
with directions, and in HQ's alerts panel under "Only my teams'", marked for them; another
coordinator's "mine" list stays empty."""

from __future__ import annotations

import pytest

from tests.conftest import add_user, bearer
from tests.ingest.conftest import user_id

pytestmark = pytest.mark.browser

POSITION = {"latitude": 48.8590, "longitude": 2.3795, "accuracy": 8}  # Paris 11th arrondissement


async def test_an_sos_reaches_the_teams_coordinator_phone_and_mine_filter(stack, browser, pool, campaign, client):
    slug = campaign["slug"]
    lead = await add_user(pool, slug, "coordinator", "Lead")
    other = await add_user(pool, slug, "coordinator", "Other desk")
    vol = await add_user(pool, slug, "volunteer", "In trouble")
    team = {"name": "Belleville", "members": [await user_id(pool, vol["login"])], "coordinator": lead["login"]}
    assert (
        await client.post(f"/api/campaigns/{slug}/teams", json=team, headers=bearer(lead["token"]))
    ).status_code == 201

    ctx = await browser.new_context(
        geolocation=POSITION, permissions=["geolocation"], viewport={"width": 400, "height": 800}
    )
    try:
        phone = await ctx.new_page()
        async with phone.expect_websocket() as opened:
            await phone.goto(f"{stack}/volunteer?campaign={slug}#token={lead['token']}")
        ws = await opened.value
        await ws.wait_for_event("framereceived", predicate=lambda p: '"ready"' in str(p), timeout=15_000)
        assert await phone.is_hidden("#coord-alert")

        press = {"id": "press-browser-0001", "lon": POSITION["longitude"], "lat": POSITION["latitude"]}
        sos = await client.post(f"/api/campaigns/{slug}/sos", json=press, headers=bearer(vol["token"]))
        assert sos.status_code == 201, sos.text
        await phone.wait_for_selector("#coord-alert", state="visible", timeout=10_000)
        text = await phone.inner_text("#coord-alert-text")
        assert "SOS" in text and "In trouble" in text and "Belleville" in text
        href = await phone.get_attribute("#coord-alert-map", "href")
        assert href and f"mlat={POSITION['latitude']}" in href

        for who, expect in ((lead, 1), (other, 0)):
            hq = await browser.new_page(viewport={"width": 1300, "height": 1000})
            await hq.goto(f"{stack}/?campaign={slug}#token={who['token']}")
            await hq.wait_for_selector("#alerts-list li.sos", timeout=20_000)  # HQ's feed: everyone's
            await hq.check("#alerts-mine")
            if expect:
                await hq.wait_for_selector(f"#alerts-list li.sos[data-coordinator='{lead['login']}']", timeout=10_000)
                assert lead["login"] in await hq.inner_text("#alerts-list li.sos")
            else:
                await hq.wait_for_selector("#alerts-list li", state="detached", timeout=10_000)
            await hq.close()
    finally:
        await ctx.close()
