"""SOS from the phone page, offline first: the press waits in the page's outbox, then reaches HQ
once when the network comes back, with the position, and stays open until acknowledged."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import add_user, bearer
from tests.servers import until

pytestmark = pytest.mark.browser

POSITION = {"latitude": 48.8590, "longitude": 2.3795, "accuracy": 8}  # Paris 11th arrondissement


async def sos_rows(pool, campaign_id: int) -> list:
    async with pool.acquire() as c:
        return await c.fetch(
            "SELECT id, lon, lat, acked_at FROM alerts WHERE campaign_id = $1 AND kind = 'sos'", campaign_id
        )


async def test_sos_pressed_offline_reaches_hq_once_when_online(stack, browser, pool, campaign, client):  # noqa: F811
    vol = await add_user(pool, campaign["slug"], "volunteer", "In trouble")
    hq = await add_user(pool, campaign["slug"], "coordinator", "HQ desk")
    ctx = await browser.new_context(
        geolocation=POSITION, permissions=["geolocation"], viewport={"width": 400, "height": 800}
    )
    try:
        page = await ctx.new_page()
        await page.goto(f"{stack}/volunteer?campaign={campaign['slug']}#token={vol['token']}")
        await page.wait_for_selector("#sos", state="visible", timeout=15_000)
        await ctx.set_offline(True)
        await page.click("#sos")
        await page.wait_for_selector("#sos-status[data-state=pending]", timeout=5_000)
        await asyncio.sleep(1.5)
        assert await sos_rows(pool, campaign["id"]) == []  # offline: nothing reached the server
        await ctx.set_offline(False)
        await page.wait_for_selector("#sos-status[data-state=sent]", timeout=15_000)

        async def arrived():
            return await sos_rows(pool, campaign["id"])

        rows = await until(arrived, what="the SOS")
        await asyncio.sleep(6)  # past the outbox's retry period: nothing sent twice
        rows = await sos_rows(pool, campaign["id"])
        assert len(rows) == 1
        assert abs(rows[0]["lon"] - POSITION["longitude"]) < 1e-6 and abs(rows[0]["lat"] - POSITION["latitude"]) < 1e-6
        listed = (await client.get(f"/api/campaigns/{campaign['slug']}/alerts", headers=bearer(hq["token"]))).json()
        assert [a["kind"] for a in listed] == ["sos"] and listed[0]["volunteer_name"] == "In trouble"
        # a reload does not send it again (the outbox is empty once the server has it)
        await page.reload()
        await page.wait_for_selector("#sos", state="visible", timeout=15_000)
        await asyncio.sleep(1)
        assert len(await sos_rows(pool, campaign["id"])) == 1

        # HQ: in the alerts list and on the map until a person acknowledges it
        hq_page = await browser.new_page(viewport={"width": 1300, "height": 1000})
        await hq_page.goto(f"{stack}/?campaign={campaign['slug']}#token={hq['token']}")
        await hq_page.wait_for_selector("#alerts-list li.sos", timeout=20_000)
        assert "In trouble" in await hq_page.inner_text("#alerts-list li.sos")
        await hq_page.wait_for_function(
            "() => window.__quadriller?.deck?.props.layers.some(l => l.id === 'alerts' && l.props.data.length === 1)",
            timeout=10_000,
        )
        await hq_page.click("#alerts-list li.sos button")
        await hq_page.wait_for_selector("#alerts-list li.sos", state="detached", timeout=10_000)
        acked = await sos_rows(pool, campaign["id"])
        assert len(acked) == 1 and acked[0]["acked_at"] is not None
        await hq_page.close()
    finally:
        await ctx.close()
