"""Device tokens: a credential of their own for OwnTracks / Traccar Client, never HQ access."""

from __future__ import annotations

import asyncio
import json

import pytest

from server.cli import main as cli_main
from tests.conftest import add_user, bearer


async def test_users_add_prints_a_device_token_apart_from_the_api_token(campaign, capsys):
    argv = ["users", "add", "--campaign", campaign["slug"], "--role", "volunteer", "--name", "Ana"]
    assert await asyncio.to_thread(cli_main, argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["token"].startswith("qd_") and out["device_token"].startswith("qdd_")
    assert out["token"] != out["device_token"]


async def test_device_token_does_not_open_the_hq_api(pool, campaign, client):
    user = await add_user(pool, campaign["slug"], "coordinator")
    assert (await client.get("/api/me", headers=bearer(user["token"]))).status_code == 200
    r = await client.get("/api/me", headers=bearer(user["device_token"]))
    assert r.status_code == 401
    r = await client.get(f"/api/campaigns/{campaign['slug']}/shifts", headers=bearer(user["device_token"]))
    assert r.status_code == 401


async def test_new_device_token_from_the_phone_page_revokes_the_previous_one(pool, campaign, client):
    from server.auth.queries import user_by_device_token

    user = await add_user(pool, campaign["slug"], "volunteer")
    r = await client.post("/api/me/device-token", headers=bearer(user["token"]))
    assert r.status_code == 200
    fresh = r.json()
    assert fresh["login"] == user["login"] and fresh["device_token"].startswith("qdd_")
    async with pool.acquire() as c:
        assert (await user_by_device_token(c, fresh["device_token"], user["login"])).login == user["login"]
        assert await user_by_device_token(c, user["device_token"]) is None
    # and a device token cannot mint another one
    assert (await client.post("/api/me/device-token", headers=bearer(fresh["device_token"]))).status_code == 401


async def test_device_token_expires_after_its_maximum_age(pool, campaign):
    from ingest.auth import DeviceAuth
    from server.auth.queries import user_by_any_token, user_by_device_token
    from server.errors import Unauthenticated

    user = await add_user(pool, campaign["slug"], "volunteer")
    auth = DeviceAuth(pool, device_max_age_days=90)
    assert (await auth.authenticate(user["device_token"], user["login"], device_only=True)).campaign == campaign["slug"]
    async with pool.acquire() as c:
        await c.execute(
            "UPDATE users SET device_token_issued_at = now() - interval '91 days' WHERE login = $1", user["login"]
        )
        assert await user_by_device_token(c, user["device_token"], user["login"], 90) is None
        assert await user_by_any_token(c, user["device_token"], 90) is None
        assert (await user_by_any_token(c, user["token"], 90)).login == user["login"]  # the API token: no
        assert (await user_by_device_token(c, user["device_token"], None, 120)).login == user["login"]
    with pytest.raises(Unauthenticated, match="expired"):
        await auth.authenticate(user["device_token"], user["login"], device_only=True)
