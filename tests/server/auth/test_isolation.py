"""Campaign isolation: every campaign route checks the caller's role and campaign.

The routes are enumerated from the app itself, so a new route that forgets the check fails here.
"""

from __future__ import annotations

import re

import pytest

from server.app import create_app
from tests.conftest import add_user, bearer

# sample values for path and query parameters, for campaign B's data
PATH_VALUES = {"level": "polling_station", "code": "18-60", "name": "green"}
QUERY = {"level": "polling_station", "lon": 2.35, "lat": 48.86, "metres": 250}
# routes for the campaign's admins only (a coordinator gets 403 there)
ADMIN_ONLY = {"/api/campaigns/{slug}/audit"}


def campaign_get_routes() -> list[str]:
    spec = create_app().openapi()
    paths = sorted(p for p, ops in spec["paths"].items() if p.startswith("/api/campaigns/{slug}") and "get" in ops)
    assert len(paths) >= 3
    return paths


def _fill(path: str, slug: str, extra: dict | None = None) -> str:
    values = {**PATH_VALUES, **(extra or {})}
    return re.sub(r"\{(\w+)\}", lambda m: slug if m[1] == "slug" else values[m[1]], path)


async def sample_turf(pool, campaign_id: int) -> dict:
    """Turf routes need a turf of campaign B: one cut in the sample station (removed after)."""
    from server.turfs.queries import cut_station

    async with pool.acquire() as c:
        await cut_station(c, campaign_id, PATH_VALUES["code"], 200)
        turf = await c.fetchval(
            "SELECT min(t.id) FROM turfs t JOIN areas a ON a.id = t.area_id WHERE t.campaign_id = $1 AND a.code = $2",
            campaign_id,
            PATH_VALUES["code"],
        )
    return {"turf_id": str(turf)}


@pytest.fixture
async def two_campaigns(campaign, paris):
    """Campaign A (this test's, empty) and campaign B (Paris, read-only), each with its own users."""
    return campaign, paris


def needs_layers(path: str) -> bool:
    """Routes that answer only where open-data layers exist, or a target was chosen."""
    return "{name}" in path or path.endswith("/target")


async def sample_target(pool, campaign_id: int) -> None:
    """GET …/target answers once a target is stored: one for campaign B (removed after)."""
    from server.targeting.queries import save_target
    from server.targeting.schemas import Target

    async with pool.acquire() as c:
        await save_target(c, campaign_id, Target(election="europeennes-2024", camp=["glucksmann_raphaël"]))


@pytest.mark.parametrize("path", campaign_get_routes())
async def test_user_of_a_reads_nothing_of_b(path, two_campaigns, paris_layers, pool, client):
    a, b = two_campaigns
    if needs_layers(path):
        b = paris_layers
        if path.endswith("/target"):
            await sample_target(pool, b["id"])
    admin_a = await add_user(pool, a["slug"], "admin")
    coordinator_b = await add_user(pool, b["slug"], "admin" if path in ADMIN_ONLY else "coordinator")
    volunteer_b = await add_user(pool, b["slug"], "volunteer")
    extra = await sample_turf(pool, b["id"]) if "{turf_id}" in path else {}
    try:
        await _check_isolation(path, a, b, admin_a, coordinator_b, volunteer_b, extra, client)
    finally:
        async with pool.acquire() as c:
            if extra:
                await c.execute("DELETE FROM turfs WHERE campaign_id = $1", b["id"])
            if path.endswith("/target"):
                await c.execute("DELETE FROM campaign_targets WHERE campaign_id = $1", b["id"])


async def _check_isolation(path, a, b, admin_a, coordinator_b, volunteer_b, extra, client):
    def fill(p: str, slug: str) -> str:
        return _fill(p, slug, extra)

    own = await client.get(fill(path, b["slug"]), params=QUERY, headers=bearer(coordinator_b["token"]))
    assert own.status_code == 200, own.text  # the route works for B's own staff…
    # …volunteers get least privilege: the route or a plain refusal, never an error
    least = await client.get(fill(path, b["slug"]), params=QUERY, headers=bearer(volunteer_b["token"]))
    assert least.status_code in (200, 403), least.text

    other = await client.get(fill(path, b["slug"]), params=QUERY, headers=bearer(admin_a["token"]))
    assert other.status_code == 404  # …and tells A's admin nothing, not even that B exists
    assert other.headers["content-type"].startswith("application/problem+json")
    nowhere = await client.get(fill(path, "no-such-campaign"), params=QUERY, headers=bearer(admin_a["token"]))
    assert other.json()["detail"] == nowhere.json()["detail"].replace("no-such-campaign", b["slug"])

    anonymous = await client.get(fill(path, b["slug"]), params=QUERY)
    assert anonymous.status_code == 401
    forged = await client.get(fill(path, b["slug"]), params=QUERY, headers=bearer("qd_forged"))
    assert forged.status_code == 401


async def test_me_lists_only_own_campaigns(two_campaigns, pool, client):
    a, b = two_campaigns
    user = await add_user(pool, a["slug"], "coordinator", "Zoé")
    r = await client.get("/api/me", headers=bearer(user["token"]))
    assert r.status_code == 200
    assert r.json() == {
        "login": user["login"],
        "name": "Zoé",
        "campaigns": [{"slug": a["slug"], "name": a["name"], "role": "coordinator"}],
    }
