"""HQ lists the campaign's coordinators and admins to pick a team's coordinator: by name, only
the roles asked for, only HQ roles may ask, and an unknown role is a 422 saying so."""

from __future__ import annotations

from tests.conftest import add_user, bearer


async def test_hq_lists_the_coordinators_and_admins_by_name(client, pool, campaign):
    slug = campaign["slug"]
    lead = await add_user(pool, slug, "coordinator", "Zoé Lead")
    boss = await add_user(pool, slug, "admin", "Anne Admin")
    await add_user(pool, slug, "volunteer", "Victor Volunteer")
    r = await client.get(f"/api/campaigns/{slug}/members", headers=bearer(lead["token"]))
    assert r.status_code == 200, r.text
    assert r.json() == [
        {"login": boss["login"], "name": "Anne Admin", "role": "admin"},
        {"login": lead["login"], "name": "Zoé Lead", "role": "coordinator"},
    ]
    only = await client.get(
        f"/api/campaigns/{slug}/members", params={"role": "volunteer"}, headers=bearer(boss["token"])
    )
    assert [m["name"] for m in only.json()] == ["Victor Volunteer"]


async def test_members_are_for_hq_and_an_unknown_role_is_a_422(client, pool, campaign):
    slug = campaign["slug"]
    lead = await add_user(pool, slug, "coordinator", "Lead")
    vol = await add_user(pool, slug, "volunteer", "Vol")
    assert (await client.get(f"/api/campaigns/{slug}/members", headers=bearer(vol["token"]))).status_code == 403
    bad = await client.get(
        f"/api/campaigns/{slug}/members", params={"role": "coordinator,boss"}, headers=bearer(lead["token"])
    )
    assert bad.status_code == 422 and "role must be among" in bad.json()["detail"]
