"""HQ's targeting panel: a coordinator builds a target (camp, farther than 250 m from green spaces,
at least 30 % of the station), the map's priority choropleth, the zone layer and the ranked table
follow it, a station's explanation shows, and the target is stored for dispatch."""

from __future__ import annotations

import pytest

from tests.conftest import add_user, bearer

pytestmark = pytest.mark.browser
CAMP = ["glucksmann_raphaël", "toussaint_marie"]


async def test_build_a_target_and_see_the_map_change(paris_layers, pool, browser, live_server, client):
    hq = await add_user(pool, paris_layers["slug"], "coordinator")
    params = {"camp": ",".join(CAMP), "mode": "mobilisation", "factor": "green:250>=0.3", "limit": 10}
    expected = (
        await client.get(
            f"/api/campaigns/{paris_layers['slug']}/priorities", params=params, headers=bearer(hq["token"])
        )
    ).json()["stations"]
    page = await browser.new_page(viewport={"width": 1200, "height": 1400})
    try:
        await page.goto(f"{live_server}/?campaign={paris_layers['slug']}#token={hq['token']}")
        await page.wait_for_function("document.body.dataset.layersLoaded === 'true'", timeout=90_000)
        before = await page.get_attribute("#legend", "data-metric")
        await page.wait_for_selector("#target-layer option[value='green']", state="attached", timeout=10_000)
        await page.select_option("#target-camp", CAMP)
        await page.select_option("#target-layer", "green")
        await page.fill("#target-metres", "250")
        await page.fill("#target-min", "30")
        await page.click("#target-apply")
        await page.wait_for_function("document.getElementById('targeting').dataset.zone === 'shown'", timeout=60_000)
        assert before != "priority" and await page.get_attribute("#legend", "data-metric") == "priority"
        shown = await page.eval_on_selector_all("#target-list li[data-code]", "els => els.map(e => e.dataset.code)")
        assert shown == [s["code"] for s in expected]
        assert "factor=green%3A250%3E%3D0.3" in await page.get_attribute("#targeting", "data-applied")
        await page.click(f"#target-list li[data-code='{shown[0]}']")
        await page.wait_for_function(f"document.getElementById('target-explain').dataset.code === '{shown[0]}'")
        text = await page.inner_text("#target-explain")
        assert "share_beyond_green_250m" in text and "camp_share" in text
        await page.click("#target-save")
        await page.wait_for_function("document.getElementById('target-note').textContent.length > 0")
    finally:
        await page.close()
    stored = (await client.get(f"/api/campaigns/{paris_layers['slug']}/target", headers=bearer(hq["token"]))).json()
    assert stored["camp"] == CAMP and stored["factors"] == [{"layer": "green", "metres": 250.0, "min_share": 0.3}]
    async with pool.acquire() as c:  # paris_layers is shared read-only: the API tests expect no target
        await c.execute("DELETE FROM campaign_targets WHERE campaign_id = $1", paris_layers["id"])


async def test_model_mode_in_french_lists_what_moved_the_prediction(paris_2026, pool, browser, live_server, client):
    from server.demo import MUNICIPAL_2026_ELECTION
    from server.targeting.fitting import fit_and_store

    model_target = f"{MUNICIPAL_2026_ELECTION}:pct_chikirou"
    async with pool.acquire() as c:
        fitted = await fit_and_store(
            c, paris_2026["id"], model_target, ["europeennes-2024"], ["income", "social_housing"], "aubry_manon"
        )
    assert fitted["used"], "the LFI share model beats its baseline on Paris (docs/benchmarks.md)"
    hq = await add_user(pool, paris_2026["slug"], "coordinator")
    params = {
        "camp": "pct_chikirou",
        "mode": "model",
        "model_target": model_target,
        "election": MUNICIPAL_2026_ELECTION,
        "limit": 10,
    }
    expected = (
        await client.get(f"/api/campaigns/{paris_2026['slug']}/priorities", params=params, headers=bearer(hq["token"]))
    ).json()["stations"]
    page = await browser.new_page(viewport={"width": 1200, "height": 1400})
    try:
        await page.goto(f"{live_server}/?campaign={paris_2026['slug']}#token={hq['token']}")
        await page.wait_for_function("document.body.dataset.layersLoaded === 'true'", timeout=90_000)
        if await page.evaluate("document.documentElement.lang") != "fr":
            await page.click("#lang-toggle")
        await page.wait_for_function("document.documentElement.lang === 'fr'")
        assert (await page.inner_text("#target-mode option[value='model']")).strip() == "Modèle"
        await page.wait_for_selector(f"#target-model option[value='{model_target}']", state="attached", timeout=10_000)
        await page.wait_for_selector("#target-camp option[value='pct_chikirou']", state="attached", timeout=10_000)
        await page.select_option("#target-camp", ["pct_chikirou"])
        await page.select_option("#target-mode", "model")
        await page.select_option("#target-model", model_target)
        await page.click("#target-apply")
        await page.wait_for_function(
            "(document.getElementById('targeting').dataset.applied || '').includes('mode=model')", timeout=60_000
        )
        shown = await page.eval_on_selector_all("#target-list li[data-code]", "els => els.map(e => e.dataset.code)")
        assert shown == [s["code"] for s in expected]
        await page.click(f"#target-list li[data-code='{shown[0]}']")
        await page.wait_for_function(f"document.getElementById('target-explain').dataset.code === '{shown[0]}'")
        text = await page.inner_text("#target-explain")
        assert "Ce qui a le plus pesé sur la prédiction" in text
        moved = await page.eval_on_selector_all(
            "#target-explain .target-moved li", "els => els.map(e => e.textContent)"
        )
        want = expected[0]["explanation"]
        assert len(moved) == len(want) == 3
        assert [m.rsplit(": ", 1)[0] for m in moved] == [w["feature"] for w in want]
    finally:
        await page.close()
