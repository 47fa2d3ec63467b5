"""`quadriller privacy erase --login` takes effect on every server at once, like `users revoke`:
the open websocket of the person is closed within 2 s, ingest forgets their cached login (the
next fix from their app is refused, not honoured for the cache's 30 s), and their open shift was
ended as 'revoked' through the duty channel before the rows went."""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.conftest import add_user, start_shift
from tests.helpers.cli import run
from tests.helpers.live import next_delta, subscribed
from tests.helpers.sockets import closed_within
from tests.ingest.conftest import ServerThread, connected, make_settings, ping_frame, recv_until

FIX = {"_type": "location", "lat": 48.8606, "lon": 2.3376, "acc": 12}  # the Louvre


async def test_erase_closes_sockets_and_forgets_cached_logins_at_once(settings, pool, campaign, redis_url, capsys):
    slug = campaign["slug"]
    vol = await add_user(pool, slug, "volunteer", "Erased")
    async with pool.acquire() as c:
        vid = await c.fetchval("SELECT id FROM users WHERE login = $1", vol["login"])
    shift = await start_shift(pool, campaign["id"], vid)
    ingest = await asyncio.to_thread(ServerThread(make_settings(settings)).start)
    device = (vol["login"], vol["device_token"])
    try:
        async with (
            httpx.AsyncClient(base_url=ingest.http_url, timeout=20) as http,
            connected(ingest.ws_url, vol["token"]) as (phone, ready),
            subscribed(redis_url, campaign["id"]) as live,
        ):
            assert ready["shift"]["id"] == shift
            r = await http.post("/api/owntracks", json={**FIX, "tst": int(time.time()) - 5}, auth=device)
            assert r.status_code == 200 and "x-quadriller-not-stored" not in r.headers  # login now cached
            await phone.send(ping_frame(1))
            await recv_until(phone, "ack")

            code, done, err = await asyncio.to_thread(
                run, capsys, "privacy", "erase", "--campaign", slug, "--login", vol["login"]
            )
            assert code == 0, err
            assert done["removed"]["users"] == 1 and done["removed"]["ingest_notified"] == 1
            ended = await next_delta(live, kind="shift", v=vid)  # HQ's map is told, as for any end
            assert (ended["shift"], ended["on"], ended.get("by")) == (shift, False, "revoked")
            phone_code, _ = await closed_within(phone, 2.0)
            assert phone_code == 1008
            r = await http.post("/api/owntracks", json={**FIX, "tst": int(time.time()) - 4}, auth=device)
            assert r.status_code == 401  # the cached login is gone with the account
    finally:
        await asyncio.to_thread(ingest.stop)
    async with pool.acquire() as c:
        assert await c.fetchval("SELECT count(*) FROM pings WHERE volunteer_id = $1", vid) == 0
        assert await c.fetchval("SELECT count(*) FROM shifts WHERE user_id = $1", vid) == 0
    code, _, err = await asyncio.to_thread(run, capsys, "privacy", "erase", "--campaign", slug, "--login", vol["login"])
    assert code == 2 and vol["login"] in err  # no one left to erase
