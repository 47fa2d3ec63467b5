"""`quadriller users revoke --campaign SLUG --login LOGIN` takes effect on every server within
2 s: the volunteer's ingest websocket and the coordinator's /ws/live are closed (1008), the
cached device login is forgotten (the next OwnTracks fix is refused), the HQ API refuses the
token, the open shift ends; revoking someone who is not a member exits 2 with one line."""

from __future__ import annotations

import asyncio
import time

import httpx
import orjson
import websockets

from tests.conftest import add_user, bearer, start_shift
from tests.helpers.cli import run
from tests.helpers.sockets import closed_within
from tests.ingest.conftest import ServerThread, connected, make_settings, ping_frame, recv_until
from tests.server.live.conftest import LiveServer


async def test_revoke_closes_sockets_and_refuses_tokens_everywhere(settings, pool, campaign, client, capsys):
    slug = campaign["slug"]
    vol = await add_user(pool, slug, "volunteer", "Vol")
    hq = await add_user(pool, slug, "coordinator", "HQ")
    async with pool.acquire() as c:
        vid = await c.fetchval("SELECT id FROM users WHERE login = $1", vol["login"])
    shift = await start_shift(pool, campaign["id"], vid)
    ingest = await asyncio.to_thread(ServerThread(make_settings(settings)).start)
    hq_server = await asyncio.to_thread(LiveServer(settings).start)
    fix = {"_type": "location", "lat": 48.8606, "lon": 2.3376, "acc": 12}
    device = (vol["login"], vol["device_token"])
    try:
        async with (
            httpx.AsyncClient(base_url=ingest.http_url, timeout=20) as http,
            connected(ingest.ws_url, vol["token"]) as (phone, _),
            websockets.connect(hq_server.url) as viewer,
        ):
            r = await http.post("/api/owntracks", json={**fix, "tst": int(time.time()) - 5}, auth=device)
            assert r.status_code == 200 and "x-quadriller-not-stored" not in r.headers  # login now cached
            await phone.send(ping_frame(1))
            await recv_until(phone, "ack")
            await viewer.send(orjson.dumps({"type": "auth", "token": hq["token"], "campaign": slug}).decode())
            assert orjson.loads(await viewer.recv())["type"] == "snapshot"

            for login in (vol["login"], hq["login"]):
                code, done, err = await asyncio.to_thread(
                    run, capsys, "users", "revoke", "--campaign", slug, "--login", login
                )
                assert code == 0, err
                assert done["login"] == login and done["ingest_notified"] is True
                if login == vol["login"]:
                    assert done["shift_ended"] == shift
            phone_code, phone_s = await closed_within(phone, 2.0)
            viewer_code, viewer_s = await closed_within(viewer, 2.0)
            assert (phone_code, viewer_code) == (1008, 1008)
            r = await http.post("/api/owntracks", json={**fix, "tst": int(time.time()) - 4}, auth=device)
            assert r.status_code == 403
    finally:
        await asyncio.to_thread(ingest.stop)
        await asyncio.to_thread(hq_server.stop)
    r = await client.get(f"/api/campaigns/{slug}/shifts/open", headers=bearer(hq["token"]))
    assert r.status_code in (403, 404)
    async with pool.acquire() as c:
        assert await c.fetchval("SELECT ended_by FROM shifts WHERE id = $1", shift) == "revoked"
        assert await c.fetchval("SELECT count(*) FROM pings WHERE volunteer_id = $1", vid) == 2

    code, _, err = await asyncio.to_thread(run, capsys, "users", "revoke", "--campaign", slug, "--login", vol["login"])
    assert code == 2 and err.count("\n") == 1 and vol["login"] in err
