"""The volunteer websocket, protocol 1, against a real ingest server, PostGIS and Redis."""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tests.conftest import add_user, agree_to_location
from tests.ingest.conftest import connected, frames_for, ping, ping_frame, pings_frame, recv_until, stored


async def close_code(ws, timeout: float = 5.0) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    return ws.close_code, ws.close_reason


async def test_auth_ready(ingest, volunteer, campaign):
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, ready):
        assert ready == {
            "type": "ready",
            "protocol": 1,
            "volunteer": volunteer["id"],
            "campaign": campaign["slug"],
            "max_frame_bytes": 8192,
            "max_pings_per_s": 20.0,
            "shift": {"id": volunteer["shift"], "since": ready["shift"]["since"]},
        }
        assert abs(ready["shift"]["since"] - time.time()) < 60


async def test_auth_names_campaign_when_member_of_several(ingest, pool, campaign, volunteer):
    from server.campaigns.queries import create_campaign

    async with pool.acquire() as c:
        other = await create_campaign(c, campaign["slug"] + "-b", "other")
        await c.execute(
            "INSERT INTO memberships (user_id, campaign_id, role) VALUES ($1, $2, 'coordinator')",
            volunteer["id"],
            other["id"],
        )
    await agree_to_location(pool, other["id"], volunteer["id"])  # `connected` starts a shift there
    async with websockets.connect(ingest.ws_url) as ws:  # ambiguous: refused
        await ws.send(orjson.dumps({"type": "auth", "token": volunteer["token"], "protocol": 1}).decode())
        code, reason = await close_code(ws)
        assert code == 1008 and "several campaigns" in reason
    async with connected(ingest.ws_url, volunteer["token"], campaign=other["slug"]) as (_, ready):
        assert ready["campaign"] == other["slug"]


async def test_bad_token_closes_1008(ingest):
    async with websockets.connect(ingest.ws_url) as ws:
        await ws.send(orjson.dumps({"type": "auth", "token": "qd_nope", "protocol": 1}).decode())
        code, reason = await close_code(ws)
    assert code == 1008 and "token" in reason


async def test_no_auth_closes_1008(ingest):
    async with websockets.connect(ingest.ws_url) as ws:
        t0 = time.monotonic()
        code, _ = await close_code(ws)  # test server: 1 s auth timeout
    assert code == 1008 and time.monotonic() - t0 < 4


async def test_ping_before_auth_closes_1008(ingest):
    async with websockets.connect(ingest.ws_url) as ws:
        await ws.send(ping_frame(1))
        code, _ = await close_code(ws)
    assert code == 1008


async def test_ack_only_after_commit(ingest, pool, volunteer):
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        await ws.send(ping_frame(7, acc=5.0, alt=35.0, spd=1.2, hdg=90.0, bat=0.5))
        ack = await recv_until(ws, "ack")
        # At the moment the ack arrives, the row is already committed and visible.
        rows = await stored(pool, volunteer["id"])
    assert ack["seqs"] == [7]
    assert len(rows) == 1 and rows[0]["seq"] == 7 and rows[0]["source"] == "ws"
    r = rows[0]
    assert (r["alt"], r["spd"], r["hdg"], r["bat"], r["low_accuracy"]) == (35.0, pytest.approx(1.2), 90.0, 0.5, False)
    assert abs(r["lon"] - 2.3522) < 1e-9 and abs(r["lat"] - 48.8566) < 1e-9


async def test_duplicate_resend_stored_once_and_acked(ingest, pool, volunteer):
    p = ping(1)
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        await ws.send(pings_frame([p]))
        assert (await recv_until(ws, "ack"))["seqs"] == [1]
    # Reconnect and resend, as a client does with what it believes unacked.
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        await ws.send(pings_frame([p, p]))
        assert (await recv_until(ws, "ack"))["seqs"] == [1]
    assert len(await stored(pool, volunteer["id"])) == 1


async def test_batch_frame(ingest, pool, volunteer):
    now = time.time()
    batch = [ping(i, lat=48.85 + i * 1e-4, t=now - 50 + i) for i in range(50)]
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        await ws.send(pings_frame(batch))
        acked: set[int] = set()
        while len(acked) < 50:
            acked.update((await recv_until(ws, "ack"))["seqs"])
    assert acked == set(range(50))
    assert [r["seq"] for r in await stored(pool, volunteer["id"])] == list(range(50))


@pytest.mark.parametrize(
    "frame, code, seq",
    [
        ("{not json", "malformed", None),
        ('{"type": "ping", "seq": 3, "t": "soon", "lat": 48.8, "lon": 2.3, "acc": 5}', "malformed", 3),
        ('{"type": "pings", "pings": 5}', "malformed", None),
        ('{"type": "teleport"}', "malformed", None),
        ('{"type": "ping", "seq": -1, "t": 1, "lat": 48.8, "lon": 2.3, "acc": 5}', "malformed", None),
        ('{"type": "ping", "seq": 4, "t": NOW, "lat": 91.0, "lon": 2.3, "acc": 5}', "out_of_range", 4),
        ('{"type": "ping", "seq": 5, "t": NOW, "lat": 48.8, "lon": 181, "acc": 5}', "out_of_range", 5),
        # JSON cannot carry NaN or infinity: orjson refuses NaN literals and 1e999, so the frame is
        # malformed (and so is "nan" in the HTTP apps' form values, see test_apps).
        ('{"type": "ping", "seq": 6, "t": NOW, "lat": 1e999, "lon": 2.3, "acc": 5}', "malformed", None),
        ('{"type": "ping", "seq": 6, "t": NOW, "lat": NaN, "lon": 2.3, "acc": 5}', "malformed", None),
        ('{"type": "ping", "seq": 7, "t": FUTURE, "lat": 48.8, "lon": 2.3, "acc": 5}', "future", 7),
        ('{"type": "ping", "seq": 8, "t": OLD, "lat": 48.8, "lon": 2.3, "acc": 5}', "too_old", 8),
    ],
)
async def test_error_codes(ingest, pool, volunteer, frame, code, seq):
    now = time.time()
    frame = frame.replace("NOW", str(now)).replace("FUTURE", str(now + 3600)).replace("OLD", str(now - 31 * 86400))
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        await ws.send(frame)
        err = await recv_until(ws, "error")
        assert (err["code"], err["seq"]) == (code, seq) and err["reason"]
        await ws.send(ping_frame(100))  # the connection still works
        assert (await recv_until(ws, "ack"))["seqs"] == [100]
    assert [r["seq"] for r in await stored(pool, volunteer["id"])] == [100]


async def test_batch_with_one_bad_ping_keeps_the_others(ingest, pool, volunteer):
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        await ws.send(pings_frame([ping(1), ping(2, lat=95.0), ping(3)]))
        frames = await frames_for(ws, 1.0)
    errors = [f for f in frames if f["type"] == "error"]
    acked = {s for f in frames if f["type"] == "ack" for s in f["seqs"]}
    assert [(e["seq"], e["code"]) for e in errors] == [(2, "out_of_range")]
    assert acked == {1, 3}


async def test_low_accuracy_flagged_stored_acked(ingest, pool, volunteer):
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        await ws.send(ping_frame(9, acc=450.0))
        frames = await frames_for(ws, 1.0)
    warnings = [f for f in frames if f["type"] == "warning"]
    assert [(w["seq"], w["code"]) for w in warnings] == [(9, "low_accuracy")]
    assert any(f["type"] == "ack" and f["seqs"] == [9] for f in frames)
    rows = await stored(pool, volunteer["id"])
    assert rows[0]["low_accuracy"] is True and rows[0]["acc"] == 450.0


async def test_frame_too_large_closes_1009(ingest, volunteer):
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        await ws.send(pings_frame([ping(i) for i in range(200)]))  # ~16 KB > 8192
        code, _ = await close_code(ws)
    assert code == 1009


async def test_repeated_malformed_closes_1007(ingest, volunteer):
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        for _ in range(5):
            await ws.send("garbage")
        code, reason = await close_code(ws)
    assert code == 1007 and "malformed" in reason


async def test_flood_is_throttled_and_service_survives(ingest, pool, volunteer, campaign):
    now = time.time()
    acked: set[int] = set()
    throttled: set[int] = set()
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        for k in range(40):  # 2,000 pings at once against 20/s with a burst of 100
            await ws.send(pings_frame([ping(k * 50 + i, t=now - 30 + (k * 50 + i) * 1e-3) for i in range(50)]))
        for f in await frames_for(ws, 2.0):
            if f["type"] == "throttle":
                assert f["retry_after_ms"] > 0
                throttled.update(f["seqs"])
            elif f["type"] == "ack":
                acked.update(f["seqs"])
    assert throttled and acked and not (throttled & acked)
    assert 100 <= len(acked) <= 200  # the burst, plus what refilled meanwhile
    assert len(acked | throttled) == 2000
    # Dropped pings are not stored: the client resends them later.
    assert {r["seq"] for r in await stored(pool, volunteer["id"])} == acked
    # And the service still serves everybody, this device included once it slows down.
    other = await add_user(pool, campaign["slug"], "volunteer", "Other", agreed=True)
    async with connected(ingest.ws_url, other["token"]) as (ws, _):
        await ws.send(ping_frame(1))
        assert (await recv_until(ws, "ack"))["seqs"] == [1]


async def test_deflate_offered_is_refused_and_pings_still_acked(ingest, pool, volunteer):
    # Browsers offer permessage-deflate; each compressing connection would hold two zlib
    # contexts for frames of a hundred bytes (docs/benchmarks.md, "Connections and memory").
    async with websockets.connect(ingest.ws_url, compression="deflate") as ws:
        assert "permessage-deflate" in ws.request.headers.get("Sec-WebSocket-Extensions", "")
        assert ws.response.headers.get("Sec-WebSocket-Extensions") is None
        await ws.send(orjson.dumps({"type": "auth", "token": volunteer["token"], "protocol": 1}).decode())
        assert (await recv_until(ws, "ready"))["shift"]["id"] == volunteer["shift"]
        await ws.send(ping_frame(1))
        assert (await recv_until(ws, "ack"))["seqs"] == [1]
    assert [r["seq"] for r in await stored(pool, volunteer["id"])] == [1]
