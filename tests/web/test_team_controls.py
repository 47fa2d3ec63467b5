"""HQ's team and dispatch controls: a coordinator changes a team's coordinator from the team list,
creates a team with its coordinator, sees the API's refusal when the one picked is no longer HQ,
and sets reject_hold_min in the dispatch settings form (a value out of the API's range refused in
the form); the API's state follows each step."""

from __future__ import annotations

import pytest

from tests.conftest import add_user, bearer
from tests.ingest.conftest import user_id

pytestmark = pytest.mark.browser


async def _team(client, slug: str, token: str, name: str) -> dict:
    teams = (await client.get(f"/api/campaigns/{slug}/teams", headers=bearer(token))).json()
    return next(t for t in teams if t["name"] == name)


async def test_hq_sets_team_coordinators_and_reject_hold_from_the_page(browser, live_server, pool, campaign, client):
    slug = campaign["slug"]
    lead = await add_user(pool, slug, "coordinator", "Lead desk")
    second = await add_user(pool, slug, "coordinator", "Second desk")
    boss = await add_user(pool, slug, "admin", "Campaign admin")
    leaving = await add_user(pool, slug, "coordinator", "Leaving desk")
    vol = await add_user(pool, slug, "volunteer", "Walker")
    body = {"name": "Belleville", "members": [await user_id(pool, vol["login"])], "coordinator": lead["login"]}
    made = await client.post(f"/api/campaigns/{slug}/teams", json=body, headers=bearer(lead["token"]))
    assert made.status_code == 201, made.text
    team = made.json()["id"]

    page = await browser.new_page(viewport={"width": 1300, "height": 1400})
    try:
        await page.goto(f"{live_server}/?campaign={slug}#token={lead['token']}")
        select = f"#team-list li[data-team='{team}'] select"
        await page.wait_for_selector(f"{select} option[value='{second['login']}']", state="attached", timeout=30_000)
        assert await page.eval_on_selector(select, "s => s.value") == lead["login"]
        volunteers = await page.eval_on_selector_all(f"{select} option", "os => os.map(o => o.textContent)")
        assert "Walker" not in volunteers and "Campaign admin" in volunteers

        await page.select_option(select, second["login"])
        await page.wait_for_function("document.getElementById('team-note').textContent.includes('Second desk')")
        assert (await _team(client, slug, lead["token"], "Belleville"))["coordinator"] == second["login"]

        # One picked who is no longer HQ: the API's 422 is shown, the team keeps its coordinator.
        async with pool.acquire() as c:
            await c.execute(
                "UPDATE memberships SET role = 'volunteer' WHERE campaign_id = $1 AND user_id = $2",
                campaign["id"],
                await user_id(pool, leaving["login"]),
            )
        await page.select_option(select, leaving["login"])
        await page.wait_for_function(
            "document.getElementById('team-note').textContent.includes('is not a coordinator or admin')"
        )
        assert (await _team(client, slug, lead["token"], "Belleville"))["coordinator"] == second["login"]

        await page.fill("#team-name", "Oberkampf")
        await page.select_option("#team-coordinator", boss["login"])
        await page.click("#team-create")
        await page.wait_for_selector("#team-list li >> text=Oberkampf", timeout=10_000)
        assert (await _team(client, slug, lead["token"], "Oberkampf"))["coordinator"] == boss["login"]

        await page.click("#dispatch-settings summary")
        await page.wait_for_selector("#rules-form[data-loaded='true']", state="attached", timeout=10_000)
        assert await page.input_value("#rules-reject_hold_min") == "30"
        assert await page.get_attribute("#rules-reject_hold_min", "max") == "1440"
        await page.fill("#rules-reject_hold_min", "2000")
        await page.click("#rules-save")
        await page.wait_for_function("document.getElementById('rules-note').textContent.includes('1440')")
        await page.fill("#rules-reject_hold_min", "45")
        await page.click("#rules-save")
        await page.wait_for_selector("#rules-form[data-saved]", state="attached", timeout=10_000)
    finally:
        await page.close()
    rules = (await client.get(f"/api/campaigns/{slug}/dispatch/settings", headers=bearer(lead["token"]))).json()
    assert rules["reject_hold_min"] == 45 and rules["refresh_s"] == 60 and rules["max_walk_m"] == 3000
