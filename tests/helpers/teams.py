"""Volunteers and teams made through the API, for the dispatch, turf and day-report tests."""

from __future__ import annotations

from tests.conftest import add_user
from tests.ingest.conftest import user_id


async def volunteers(pool, slug: str, n: int, prefix: str) -> list[dict]:
    """n volunteers who agreed to location sharing (ready to go on shift), with their ids."""
    out = []
    for i in range(n):
        u = await add_user(pool, slug, "volunteer", f"{prefix}{i}", agreed=True)
        u["id"] = await user_id(pool, u["login"])
        out.append(u)
    return out


async def make_team(client, slug: str, hq, name: str, members: list[dict]) -> dict:
    r = await client.post(
        f"/api/campaigns/{slug}/teams", json={"name": name, "members": [m["id"] for m in members]}, headers=hq
    )
    assert r.status_code == 201, r.text
    return r.json()
