"""HQ sessions (issue #12): the HQ page trades the API token for a short-lived session token,
renews it (rotating the token), and signs out; /ws/live follows the session. Tiny TTLs come
from the settings, never long sleeps."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from contextlib import asynccontextmanager

import httpx
import orjson
import pytest
import websockets

from server.auth.revocation import revoke
from server.retention.job import run as run_retention
from tests.conftest import add_user, bearer
from tests.server.live.conftest import LiveServer


@asynccontextmanager
async def client_with(app_state, **settings):
    """An API client on the session's app whose requests see these settings."""
    app, state = app_state
    custom = dict(state)
    custom["settings"] = state["settings"].model_copy(update=settings)

    async def with_state(scope, receive, send):
        scope["state"] = dict(custom)
        await app(scope, receive, send)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=with_state), base_url="http://test") as c:
        yield c


async def sign_in(client, api_token: str) -> dict:
    r = await client.post("/api/sessions", headers=bearer(api_token))
    assert r.status_code == 201, r.text
    return r.json()


def refused(r: httpx.Response, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code, r.json()


async def test_session_from_api_token_renews_and_rotates(app_state, pool, campaign):
    slug = campaign["slug"]
    hq = await add_user(pool, slug, "coordinator", "HQ")
    async with client_with(app_state, hq_session_renew_grace_s=0) as client:
        first = await sign_in(client, hq["token"])
        assert first["token"].startswith("qds_") and first["token"] != hq["token"]
        assert 890 < first["expires_in_s"] <= 900 and first["ends_in_s"] > 43_000
        async with pool.acquire() as c:  # stored hashed only
            digest = hashlib.sha256(first["token"].encode()).digest()
            assert await c.fetchval("SELECT count(*) FROM hq_sessions WHERE token_hash = $1", digest) == 1
        r = await client.get("/api/me", headers=bearer(first["token"]))
        assert r.status_code == 200 and r.json()["login"] == hq["login"]
        r = await client.get(f"/api/campaigns/{slug}/shifts/open", headers=bearer(first["token"]))
        assert r.status_code == 200, r.text

        renewed = (await client.post("/api/sessions/renew", headers=bearer(first["token"]))).json()
        assert renewed["token"].startswith("qds_") and renewed["token"] != first["token"]
        assert (await client.get("/api/me", headers=bearer(renewed["token"]))).status_code == 200
        # no grace here: the replaced token is refused at once, and cannot renew again
        refused(await client.get("/api/me", headers=bearer(first["token"])), 401, "session_expired")
        refused(await client.post("/api/sessions/renew", headers=bearer(first["token"])), 401, "session_expired")
        # an API token is not a session to renew
        refused(await client.post("/api/sessions/renew", headers=bearer(hq["token"])), 400, "session_token_required")
        # the API token keeps working for scripts and the CLI's users
        assert (await client.get("/api/me", headers=bearer(hq["token"]))).status_code == 200


async def test_replaced_token_works_during_the_grace(app_state, pool, campaign):
    hq = await add_user(pool, campaign["slug"], "admin", "HQ")
    async with client_with(app_state, hq_session_renew_grace_s=30) as client:
        first = await sign_in(client, hq["token"])
        renewed = await client.post("/api/sessions/renew", headers=bearer(first["token"]))
        assert renewed.status_code == 200
        assert (await client.get("/api/me", headers=bearer(first["token"]))).status_code == 200
        # but only the current token renews: a replaced one cannot fork the session
        refused(await client.post("/api/sessions/renew", headers=bearer(first["token"])), 401, "session_expired")


async def test_expired_session_is_refused_with_its_reason(app_state, pool, campaign):
    hq = await add_user(pool, campaign["slug"], "coordinator", "HQ")
    async with client_with(app_state, hq_session_ttl_s=0.3) as client:
        session = await sign_in(client, hq["token"])
        await asyncio.sleep(0.5)
        r = await client.get("/api/me", headers=bearer(session["token"]))
        refused(r, 401, "session_expired")
        assert "expired" in r.json()["detail"] and r.headers["www-authenticate"] == "Bearer"
        refused(await client.post("/api/sessions/renew", headers=bearer(session["token"])), 401, "session_expired")


async def test_renewal_stops_at_the_maximum_lifetime(app_state, pool, campaign):
    hq = await add_user(pool, campaign["slug"], "coordinator", "HQ")
    async with client_with(app_state, hq_session_ttl_s=60, hq_session_max_s=0.5) as client:
        session = await sign_in(client, hq["token"])
        assert session["expires_in_s"] <= 0.5  # never past the end, even at sign-in
        renewed = (await client.post("/api/sessions/renew", headers=bearer(session["token"]))).json()
        assert renewed["expires_at"] == renewed["ends_at"] == session["ends_at"]
        await asyncio.sleep(0.7)
        r = await client.post("/api/sessions/renew", headers=bearer(renewed["token"]))
        refused(r, 401, "session_max_lifetime")
        # signing in again with the API token starts a new session
        assert (await sign_in(client, hq["token"]))["expires_in_s"] > 0


async def test_sign_out_refuses_the_token_at_once(client, pool, campaign):
    hq = await add_user(pool, campaign["slug"], "coordinator", "HQ")
    session = await sign_in(client, hq["token"])
    refused(await client.delete("/api/sessions/current", headers=bearer(hq["token"])), 400, "session_token_required")
    r = await client.delete("/api/sessions/current", headers=bearer(session["token"]))
    assert r.status_code == 204
    refused(await client.get("/api/me", headers=bearer(session["token"])), 401, "session_expired")
    refused(await client.delete("/api/sessions/current", headers=bearer(session["token"])), 401, "session_expired")


async def test_signing_in_again_and_again_ends_the_oldest_sessions(client, pool, campaign):
    from server.sessions.queries import MAX_SESSIONS_PER_USER

    hq = await add_user(pool, campaign["slug"], "coordinator", "HQ")
    sessions = [await sign_in(client, hq["token"]) for _ in range(MAX_SESSIONS_PER_USER + 1)]
    refused(await client.get("/api/me", headers=bearer(sessions[0]["token"])), 401, "session_expired")
    for s in (sessions[1], sessions[-1]):
        assert (await client.get("/api/me", headers=bearer(s["token"]))).status_code == 200


async def test_a_session_token_mints_no_other_credential(client, pool, campaign):
    hq = await add_user(pool, campaign["slug"], "admin", "HQ")
    session = await sign_in(client, hq["token"])
    refused(await client.post("/api/sessions", headers=bearer(session["token"])), 403, "api_token_required")
    refused(await client.post("/api/me/device-token", headers=bearer(session["token"])), 403, "api_token_required")
    assert (await client.post("/api/me/device-token", headers=bearer(hq["token"]))).status_code == 200
    r = await client.post("/api/sessions", headers=bearer(hq["device_token"]))
    assert r.status_code == 401  # a device token opens nothing on the HQ API
    r = await client.post("/api/sessions", headers=bearer("qd_" + "x" * 300))
    assert r.status_code == 401 and r.json()["detail"] == "malformed token"


async def test_a_revoked_members_session_is_refused(client, pool, redis_url, campaign):
    import redis.asyncio as aioredis

    slug = campaign["slug"]
    hq = await add_user(pool, slug, "coordinator", "HQ")
    session = await sign_in(client, hq["token"])
    assert (await client.get(f"/api/campaigns/{slug}/shifts/open", headers=bearer(session["token"]))).status_code == 200
    redis = aioredis.from_url(redis_url)
    try:
        async with pool.acquire() as c:
            await revoke(c, redis, slug, hq["login"], 12.0)
    finally:
        await redis.aclose()
    r = await client.get(f"/api/campaigns/{slug}/shifts/open", headers=bearer(session["token"]))
    assert r.status_code == 404


async def test_retention_and_account_removal_take_sessions(app_state, settings, pool, redis_url, campaign):
    import redis.asyncio as aioredis

    hq = await add_user(pool, campaign["slug"], "coordinator", "HQ")
    async with client_with(app_state, hq_session_ttl_s=0.2) as client:
        short = await sign_in(client, hq["token"])
    async with client_with(app_state) as client:
        kept = await sign_in(client, hq["token"])
    await asyncio.sleep(0.3)
    redis = aioredis.from_url(redis_url)
    try:
        async with pool.acquire() as c:
            uid = await c.fetchval("SELECT id FROM users WHERE login = $1", hq["login"])
            done = await run_retention(c, redis, settings, dt.datetime.now(dt.UTC))
            assert done["hq_sessions"] >= 1
            left = await c.fetch("SELECT expires_at FROM hq_sessions WHERE user_id = $1", uid)
            assert [r["expires_at"] for r in left] == [dt.datetime.fromisoformat(kept["expires_at"])]
            assert short["expires_at"] != kept["expires_at"]
            await c.execute("DELETE FROM memberships WHERE user_id = $1", uid)
            await c.execute("DELETE FROM users WHERE id = $1", uid)
            assert await c.fetchval("SELECT count(*) FROM hq_sessions WHERE user_id = $1", uid) == 0
    finally:
        await redis.aclose()


async def closed(ws, timeout: float) -> tuple[int | None, str]:
    with pytest.raises(websockets.ConnectionClosed) as done:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    rcvd = done.value.rcvd
    return (rcvd.code, rcvd.reason) if rcvd else (None, "")


async def test_live_feed_follows_the_session(settings, pool, campaign):
    slug = campaign["slug"]
    hq = await add_user(pool, slug, "coordinator", "HQ")
    server = await asyncio.to_thread(
        LiveServer(settings.model_copy(update={"live_access_recheck_s": 0.2, "hq_session_renew_grace_s": 0})).start
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}", timeout=20) as http:
            session = await sign_in(http, hq["token"])
            async with websockets.connect(server.url) as viewer:
                await viewer.send(orjson.dumps({"type": "auth", "token": session["token"], "campaign": slug}).decode())
                assert orjson.loads(await viewer.recv())["type"] == "snapshot"
                # renewing rotates the token (the old one is dead, no grace) and keeps the socket open
                renewed = (await http.post("/api/sessions/renew", headers=bearer(session["token"]))).json()
                await asyncio.sleep(1.0)  # five re-checks
                assert viewer.close_code is None
                assert (await http.delete("/api/sessions/current", headers=bearer(renewed["token"]))).status_code == 204
                assert await closed(viewer, 3.0) == (1008, "session expired")
            # a signed-out session opens no feed
            async with websockets.connect(server.url) as viewer:
                await viewer.send(orjson.dumps({"type": "auth", "token": renewed["token"], "campaign": slug}).decode())
                code, reason = await closed(viewer, 3.0)
                assert code == 1008 and reason.startswith("not allowed")
    finally:
        await asyncio.to_thread(server.stop)
