"""The end-of-tour report, in two browsers: a volunteer walks a real Paris polling station on
shift, ends the shift, and the phone asks for the report; it goes to the station the pings were
in, shows in HQ's activity feed and doors counter, and a report written with no network waits on
the phone and is sent once when the network is back."""

from __future__ import annotations

import pytest

from tests.conftest import add_user, set_vocabulary
from tests.ingest.conftest import stored, user_id
from tests.servers import until

pytestmark = pytest.mark.browser

SPOT = (48.8867, 2.3431)  # a street corner of the 18th arrondissement


async def reports(pool, vid: int) -> list[dict]:
    async with pool.acquire() as c:
        rows = await c.fetch(
            "SELECT r.*, a.code FROM tour_reports r LEFT JOIN areas a ON a.id = r.area_id "
            "WHERE r.user_id = $1 ORDER BY r.id",
            vid,
        )
    return [dict(r) for r in rows]


async def fill(page, knocked: int, opened: int, contacts: int, tags: tuple[str, ...] = ()) -> None:
    await page.fill("#rep-knocked", str(knocked))
    await page.fill("#rep-opened", str(opened))
    await page.fill("#rep-contacts", str(contacts))
    for tag in tags:  # the campaign's closed vocabulary, as checkboxes: no free text
        await page.check(f"#rep-tags input[value={tag}]")
    await page.click("#rep-send")


async def test_tour_report_from_phone_to_hq(stack, browser, pool, paris):  # noqa: F811
    slug = paris["slug"]
    hq = await add_user(pool, slug, "coordinator", "HQ")
    vol = await add_user(pool, slug, "volunteer", "Reporter")
    vid = await user_id(pool, vol["login"])
    await set_vocabulary(pool, paris["id"])
    async with pool.acquire() as c:
        station = await c.fetchval(
            "SELECT code FROM areas WHERE campaign_id = $1 AND level = 'polling_station' "
            "AND ST_Covers(geom, ST_SetSRID(ST_MakePoint($2, $3), 4326))",
            paris["id"],
            SPOT[1],
            SPOT[0],
        )

    phone_ctx = await browser.new_context(
        geolocation={"latitude": SPOT[0], "longitude": SPOT[1], "accuracy": 8},
        permissions=["geolocation"],
        locale="en-GB",
        viewport={"width": 400, "height": 900},
    )
    hq_page = await browser.new_page(viewport={"width": 1300, "height": 1000}, locale="en-GB")
    try:
        await hq_page.goto(f"{stack}/?campaign={slug}#token={hq['token']}")
        await hq_page.wait_for_function("document.body.dataset.layersLoaded === 'true'", timeout=90_000)
        await hq_page.wait_for_function(
            "document.querySelector('[data-live=doorsKnocked]').textContent.trim() !== '—'", timeout=10_000
        )
        before = int((await hq_page.inner_text("[data-live=doorsKnocked]")).replace(",", ""))

        phone = await phone_ctx.new_page()
        await phone.goto(f"{stack}/volunteer?campaign={slug}#token={vol['token']}")
        await phone.wait_for_selector("body[data-state=idle]", timeout=15_000)
        assert await phone.is_hidden("#report-prompt")
        await phone.check("#consent-box")
        await phone.click("#start")
        await phone.wait_for_selector("body[data-state=on]", timeout=10_000)
        await until(lambda: stored(pool, vid), what="the phone's first fix")
        await phone.click("#end")
        await phone.wait_for_selector("body[data-state=ended]", timeout=10_000)
        await phone.wait_for_selector("#report-prompt", state="visible", timeout=5_000)

        # a mistake is caught on the phone and nothing is sent
        await fill(phone, 10, 12, 0)
        assert "cannot exceed" in await phone.inner_text("#report-status")
        assert await reports(pool, vid) == []

        await fill(phone, 30, 11, 2, ("logement", "transports"))
        await phone.wait_for_function(
            "document.getElementById('report-status').textContent.startsWith('Report sent')", timeout=10_000
        )
        assert station in await phone.inner_text("#report-status")
        assert await phone.is_hidden("#report-prompt")
        (rep,) = await reports(pool, vid)
        assert (
            rep["code"],
            rep["area_source"],
            rep["doors_knocked"],
            rep["doors_opened"],
            rep["contacts"],
            rep["tags"],
        ) == (station, "pings", 30, 11, 2, ["logement", "transports"])
        assert rep["shift_id"] is not None

        # HQ: in the feed, and counted
        item = f"#live-feed li[data-kind=report][data-volunteer='{vid}']"
        await hq_page.wait_for_selector(item, timeout=5_000)
        text = await hq_page.inner_text(item)
        assert "30 doors" in text and station in text
        await hq_page.wait_for_function(
            f"Number(document.querySelector('[data-live=doorsKnocked]').textContent.replace(/\\D/g, '')) >= {before + 30}",
            timeout=5_000,
        )

        # no network: the report waits on the phone, then goes once
        await phone_ctx.set_offline(True)
        await fill(phone, 8, 3, 0)
        await phone.wait_for_function(
            "document.getElementById('report-status').textContent.startsWith('No connection')", timeout=10_000
        )
        outbox = await phone.evaluate(f"localStorage.getItem('quadriller.phone.{slug}.reports')")
        assert outbox and '"doors_knocked":8' in outbox
        assert len(await reports(pool, vid)) == 1
        await phone_ctx.set_offline(False)  # the page's 'online' event, or its 15 s retry, sends it
        await phone.wait_for_function(
            "document.getElementById('report-status').textContent.startsWith('Report sent')", timeout=20_000
        )
        assert [r["doors_knocked"] for r in await reports(pool, vid)] == [30, 8]
        assert await phone.evaluate(f"localStorage.getItem('quadriller.phone.{slug}.reports')") is None
        await phone.wait_for_function(
            "document.getElementById('report-today').textContent.includes('Reports sent today: 2')", timeout=5_000
        )
    finally:
        await hq_page.close()
        await phone_ctx.close()
