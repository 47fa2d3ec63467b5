"""Dispatch follows the campaign's chosen target (issue 9's "Dispatch uses the chosen target"):
once a target is stored, each station's dispatch value is its targeting score, ranked by it."""

from __future__ import annotations

import pytest

from server.dispatch.values import station_values as dispatch_values
from server.targeting.queries import station_values as target_scores
from tests.conftest import add_user, bearer

CAMP = ["glucksmann_raphaël", "toussaint_marie"]


@pytest.fixture
async def hq(pool, paris_layers):
    return bearer((await add_user(pool, paris_layers["slug"], "coordinator", "Targeter"))["token"])


async def test_dispatch_values_are_the_chosen_targets_scores(client, pool, paris_layers, hq):
    try:
        await check_dispatch_follows_the_target(client, pool, paris_layers, hq)
    finally:  # the campaign is shared with the targeting tests, which start with no target
        async with pool.acquire() as c:
            await c.execute("DELETE FROM campaign_targets WHERE campaign_id = $1", paris_layers["id"])


async def check_dispatch_follows_the_target(client, pool, paris_layers, hq):
    url = f"/api/campaigns/{paris_layers['slug']}"
    # Only stations with at least 30 % of their area beyond 250 m of a green space keep a score.
    target = {
        "election": "europeennes-2024",
        "camp": CAMP,
        "mode": "mobilisation",
        "factors": [{"layer": "green", "metres": 250, "min_share": 0.3}],
    }
    assert (await client.put(f"{url}/target", headers=hq, json=target)).status_code == 200
    async with pool.acquire() as c:
        scores = await target_scores(c, paris_layers["id"])
        values = await dispatch_values(c, paris_layers["id"], {}, 0.9)
    assert len(values) > 100
    by_code = {v.code: v for v in values}
    for code, v in by_code.items():
        # nobody canvassed these stations: the remaining value is the whole target score
        assert v.value == pytest.approx(scores[code]), code
        assert v.reasons[0].startswith("target (mobilisation")
    best = max(values, key=lambda v: v.value)
    assert best.rank == 1
    filtered_out = [code for code, s in scores.items() if s == 0]
    assert filtered_out and all(by_code[c].value == 0 for c in filtered_out if c in by_code)

    r = await client.get(f"{url}/dispatch/suggestions", headers=hq)
    assert r.status_code == 200, r.text
