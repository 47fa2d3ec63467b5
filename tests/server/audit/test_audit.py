"""Every audited read makes one audit row (who, when, campaign, scope); the trail is append-only
and listed by the CLI and the admin's API."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import pytest

from server.cli import main as cli_main
from tests.conftest import add_user, bearer
from tests.server.live.conftest import live_server, snapshot  # noqa: F401 (fixture)


async def trail(pool, campaign_id: int) -> list[dict]:
    async with pool.acquire() as c:
        return [
            dict(r) for r in await c.fetch("SELECT * FROM audit_log WHERE campaign_id = $1 ORDER BY id", campaign_id)
        ]


async def test_each_read_of_positions_makes_one_audit_row(client, pool, campaign, live_server, capsys):  # noqa: F811
    slug = campaign["slug"]
    admin, vol = await add_user(pool, slug, "admin", "Admin"), await add_user(pool, slug, "volunteer")
    h = bearer(admin["token"])
    reads = [("replay", {}), ("hexes", {"source": "history", "res": 8}), ("hexes", {"source": "live"})]
    for path, params in reads:
        assert (await client.get(f"/api/campaigns/{slug}/{path}", params=params, headers=h)).status_code == 200
    ws, _ = await snapshot(live_server.url, admin["token"], slug)
    await ws.close()
    assert (await client.get(f"/api/campaigns/{slug}/replay", headers=bearer(vol["token"]))).status_code == 403
    rows = await trail(pool, campaign["id"])
    assert [(r["action"], r["login"]) for r in rows] == [
        ("replay", admin["login"]),
        ("hexes", admin["login"]),
        ("hexes", admin["login"]),
        ("live", admin["login"]),
    ]
    assert (
        rows[1]["scope"]["res"] == 8
        and "since" in rows[1]["scope"]
        and rows[2]["scope"] == {"source": "live", "res": 9}
    )

    listed = (await client.get(f"/api/campaigns/{slug}/audit", headers=h)).json()["reads"]
    assert [r["action"] for r in listed] == ["replay", "hexes", "hexes", "live"]
    assert (await client.get(f"/api/campaigns/{slug}/audit", headers=bearer(vol["token"]))).status_code == 403
    code = await asyncio.to_thread(cli_main, ["audit", "--campaign", slug, "--since", "2020-01-01"])
    out = capsys.readouterr()
    assert code == 0 and [r["action"] for r in json.loads(out.out)["reads"]] == ["replay", "hexes", "hexes", "live"]
    assert await asyncio.to_thread(cli_main, ["audit", "--campaign", slug, "--since", "yesterday"]) == 2
    assert "--since 'yesterday'" in capsys.readouterr().err


async def test_the_trail_is_append_only(pool, campaign):
    async with pool.acquire() as c:
        await c.execute("INSERT INTO audit_log (campaign_id, action) VALUES ($1, 'replay')", campaign["id"])
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await c.execute("UPDATE audit_log SET login = 'someone else' WHERE campaign_id = $1", campaign["id"])
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await c.execute("DELETE FROM audit_log WHERE campaign_id = $1", campaign["id"])
        assert await c.fetchval("SELECT count(*) FROM audit_log WHERE campaign_id = $1", campaign["id"]) == 1
