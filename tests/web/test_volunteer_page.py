"""The volunteer's phone page: consent, start a shift, share the browser's location, pause, end.
Real Chromium with an emulated GPS, real ingest, real PostGIS."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.conftest import add_user, bearer
from tests.ingest.conftest import stored, user_id
from tests.servers import until

pytestmark = pytest.mark.browser

# Three points in Paris (the Louvre, Châtelet, République)
A, B, C = (48.8606, 2.3376), (48.8584, 2.3470), (48.8674, 2.3636)


def near(row, point) -> bool:
    return abs(row["lat"] - point[0]) < 1e-5 and abs(row["lon"] - point[1]) < 1e-5


async def test_phone_shares_only_during_a_shift(stack, browser, pool, paris):
    vol = await add_user(pool, paris["slug"], "volunteer", "Phone walker")
    vid = await user_id(pool, vol["login"])
    context = await browser.new_context(
        geolocation={"latitude": A[0], "longitude": A[1], "accuracy": 8},
        permissions=["geolocation"],
        locale="en-GB",
        viewport={"width": 400, "height": 800},
    )
    page = await context.new_page()
    try:
        await page.goto(f"{stack}/volunteer?campaign={paris['slug']}#token={vol['token']}")
        await page.wait_for_selector("body[data-state=idle]", timeout=15_000)
        assert "#token" not in page.url  # the code leaves the address bar (and the history)
        # consent first: the start button waits for it
        assert await page.is_disabled("#start")
        await asyncio.sleep(1.0)
        assert await stored(pool, vid) == []  # off shift: nothing shared
        await page.check("#consent-box")
        await page.click("#start")
        await page.wait_for_selector("body[data-state=on]", timeout=10_000)
        await until(lambda: _has(pool, vid, A), what="the first fix in PostGIS")

        await context.set_geolocation({"latitude": B[0], "longitude": B[1], "accuracy": 8})
        await until(lambda: _has(pool, vid, B), what="the second fix")
        await page.wait_for_function("window.__phone.status.acked >= 2 && window.__phone.status.pending === 0")

        await page.click("#pause")
        await page.wait_for_selector("body[data-state=paused]")
        await context.set_geolocation({"latitude": C[0], "longitude": C[1], "accuracy": 8})
        await asyncio.sleep(4.0)  # more than the 3 s between fixes
        assert not await _has(pool, vid, C), "a fix was stored while paused"

        await page.click("#resume")
        await page.wait_for_selector("body[data-state=on]")
        await until(lambda: _has(pool, vid, C), what="a fix after resuming")

        await page.click("#end")
        await page.wait_for_selector("body[data-state=ended]", timeout=10_000)
        async with pool.acquire() as c:
            ended_by = await c.fetchval("SELECT ended_by FROM shifts WHERE user_id = $1", vid)
        assert ended_by == "volunteer"
        count = len(await stored(pool, vid))
        await context.set_geolocation({"latitude": A[0], "longitude": A[1], "accuracy": 8})
        await asyncio.sleep(4.0)
        assert len(await stored(pool, vid)) == count  # off shift again: nothing more

        await page.reload()  # a reload does not restart sharing
        await page.wait_for_selector("body[data-state=idle]", timeout=15_000)
        # and the page speaks French on request
        await page.click("#lang-toggle")
        assert "service" in (await page.inner_text("#start")).lower()
    finally:
        await context.close()


async def test_phone_with_a_bad_code_asks_for_one(stack, browser):
    page = await browser.new_page()
    try:
        await page.goto(f"{stack}/volunteer#token=qd_not-a-real-code")
        await page.wait_for_selector("#login:not([hidden])", timeout=15_000)
        assert "not valid" in await page.inner_text("#login-error")
    finally:
        await page.close()


async def _has(pool, vid: int, point) -> bool:
    return any(near(r, point) for r in await stored(pool, vid))


async def test_phone_page_shows_the_apps_settings_in_one_place(stack, browser, pool, paris):
    """The OwnTracks / Traccar settings (URL, user, device token) are one section, as text and QR
    codes: first those the invite brought, then, on "new device code", the new ones in the same
    place. The device token is taken by the ingest from the apps and refused by the HQ API; the
    invite's stops working once replaced."""
    import httpx

    slug = paris["slug"]
    hq = await add_user(pool, slug, "coordinator", "Inviter")
    async with httpx.AsyncClient(base_url=stack, timeout=20) as http:
        r = await http.post(f"/api/campaigns/{slug}/invites", json={}, headers=bearer(hq["token"]))
        assert r.status_code == 201, r.text
    invite_url = r.json()["url"]
    context = await browser.new_context(locale="en-GB", viewport={"width": 400, "height": 800})
    page = await context.new_page()
    page.on("dialog", lambda d: asyncio.ensure_future(d.accept()))  # "a new device code replaces…"

    async def shown() -> dict:
        await page.wait_for_selector("#apps-settings:not([hidden]) #apps-traccar-qr svg", timeout=15_000)
        tokens = await page.eval_on_selector_all("[data-device-token]", "els => els.map(e => e.textContent.trim())")
        assert len(set(tokens)) == 1, tokens  # OwnTracks' password and Traccar's identifier: one token
        return {
            "token": tokens[0],
            "owntracks": (await page.text_content("#apps-owntracks-url")).strip(),
            "user": (await page.text_content("#apps-login")).strip(),
            "traccar": (await page.text_content("#apps-traccar-url")).strip(),
            "qr": await page.inner_html("#apps-owntracks-qr"),
        }

    try:
        await page.goto(invite_url)
        await page.fill("#invite-name", "App user")
        await page.click("#invite-join")
        await page.wait_for_selector("#apps:not([hidden])", timeout=15_000)
        first = await shown()
        assert first["token"].startswith("qdd_") and "<svg" in first["qr"]
        assert first["owntracks"].endswith(f"/api/owntracks?campaign={slug}")
        assert first["traccar"].endswith(f"/api/osmand?campaign={slug}")
        assert await page.query_selector("#devices") is None  # the one section for the apps
        await page.click("#apps-show")
        await page.wait_for_function(
            "t => document.querySelector('[data-device-token]').textContent.trim() !== t", arg=first["token"]
        )
        second = await shown()
        assert second["token"].startswith("qdd_") and second["qr"] != first["qr"]
        assert (second["user"], second["owntracks"], second["traccar"]) == (
            first["user"],
            first["owntracks"],
            first["traccar"],
        )
        await page.reload()  # kept on the phone: the latest settings, not the invite's
        assert (await shown())["token"] == second["token"]
    finally:
        await context.close()
    fix = {"_type": "location", "lat": A[0], "lon": A[1], "tst": int(time.time()) - 5, "acc": 10}
    async with httpx.AsyncClient(timeout=20) as http:
        r = await http.post(second["owntracks"], json=fix, auth=(second["user"], second["token"]))
        assert r.status_code == 200 and r.headers["x-quadriller-not-stored"] == "off_shift"  # accepted, off shift
        r = await http.post(second["owntracks"], json=fix, auth=(first["user"], first["token"]))
        assert r.status_code == 401  # the invite's device token was replaced
        r = await http.get(f"{stack}/api/me", headers={"Authorization": f"Bearer {second['token']}"})
        assert r.status_code == 401
