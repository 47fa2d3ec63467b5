"""One validation for the three protocols (websocket, OwnTracks, Traccar/OsmAnd): documented
ranges checked at admission, a refusal that names the field, never a 500 nor a refused batch;
warnings after the ack; one rule for ping identity. Real ingest, real PostGIS."""

from __future__ import annotations

import time

import httpx
import orjson
import pytest

from tests.ingest.conftest import connected, frames_for, ping, ping_frame, pings_frame, recv_until, stored


@pytest.fixture
async def http(ingest):
    async with httpx.AsyncClient(base_url=ingest.http_url, timeout=20) as client:
        yield client


@pytest.mark.parametrize(
    "field, value", [("acc", 1e39), ("spd", 1e39), ("alt", -1e39), ("hdg", 400.0), ("bat", 2.0), ("acc", -3.0)]
)
async def test_websocket_refuses_out_of_range_fields_at_admission(ingest, pool, volunteer, field, value):
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        await ws.send(ping_frame(1, **{field: value}))
        frames = await frames_for(ws, 1.0)
    assert [(f["type"], f["seq"], f["code"]) for f in frames] == [("error", 1, "out_of_range")]
    assert field in frames[0]["reason"]
    assert await stored(pool, volunteer["id"]) == []


async def test_unknown_speed_course_battery_are_null_on_every_protocol(ingest, http, pool, volunteer):
    now = int(time.time())
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        await ws.send(ping_frame(1, t=now - 30, spd=-1, hdg=-1, bat=-1))
        await recv_until(ws, "ack")
    q = {
        "id": volunteer["device_token"],
        "lat": "48.85",
        "lon": "2.35",
        "timestamp": str(now - 20),
        "speed": "-1",
        "bearing": "-1",
        "batt": "-1",
    }
    assert (await http.get("/api/osmand", params=q)).status_code == 200
    fix = {"_type": "location", "lat": 48.85, "lon": 2.35, "tst": now - 10, "acc": 5, "vel": -1, "cog": -1, "batt": -1}
    assert (
        await http.post("/api/owntracks", json=fix, auth=(volunteer["login"], volunteer["device_token"]))
    ).status_code == 200
    rows = await stored(pool, volunteer["id"])
    assert [(r["source"], r["spd"], r["hdg"], r["bat"]) for r in rows] == [
        ("ws", None, None, None),
        ("osmand", None, None, None),
        ("owntracks", None, None, None),
    ]


async def test_warning_follows_the_ack(ingest, volunteer):
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        await ws.send(ping_frame(9, acc=450.0))
        frames = await frames_for(ws, 1.0)
    kinds = [f["type"] for f in frames]
    assert kinds.index("ack") < kinds.index("warning"), kinds


@pytest.mark.parametrize(
    "params, code, field",
    [
        ({"accuracy": "-3"}, "out_of_range", "accuracy"),
        ({"speed": "1e39"}, "out_of_range", "speed"),
        ({"timestamp": "²"}, "malformed", "timestamp"),
        ({"timestamp": "9" * 400}, "malformed", "timestamp"),
        ({"lat": "48,85"}, "malformed", "lat"),
        ({"lon": "1_0"}, "malformed", "lon"),
    ],
)
async def test_osmand_bad_values_are_400_naming_the_field(http, pool, volunteer, params, code, field):
    q = {"id": volunteer["device_token"], "lat": "48.85", "lon": "2.35", "timestamp": str(int(time.time())), **params}
    r = await http.get("/api/osmand", params=q)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == code and field in r.json()["detail"]
    assert await stored(pool, volunteer["id"]) == []


@pytest.mark.parametrize(
    "override, code, field",
    [
        ({"lat": "48.85"}, "malformed", "lat"),  # a string, as the websocket refuses it
        ({"acc": 1e39}, "out_of_range", "acc"),
        ({"vel": True}, "malformed", "vel"),
        ({"tst": 10**400}, "malformed", None),  # orjson refuses integers past 64 bits: not JSON
    ],
)
async def test_owntracks_checks_like_the_websocket(http, pool, volunteer, override, code, field):
    fix = {"_type": "location", "lat": 48.85, "lon": 2.35, "tst": int(time.time()) - 5, "acc": 5, **override}
    body = (
        orjson.dumps(fix)
        if "tst" not in override
        else (b'{"_type":"location","lat":48.85,"lon":2.35,"acc":5,"tst":' + b"9" * 400 + b"}")
    )
    r = await http.post(
        "/api/owntracks",
        content=body,
        auth=(volunteer["login"], volunteer["device_token"]),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400, r.text
    assert r.json()["code"] == code and (field is None or field in r.json()["detail"])
    assert await stored(pool, volunteer["id"]) == []


async def test_owntracks_401_asks_for_basic_auth(http):
    r = await http.post("/api/owntracks", json={"_type": "location"})
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic ")


async def test_ping_identity_is_seq_and_time_within_and_across_frames(ingest, pool, volunteer):
    now = time.time()
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        # same seq, two times, one frame: two pings; the exact resend of one of them: kept once
        await ws.send(pings_frame([ping(5, t=now - 20), ping(5, t=now - 10), ping(5, t=now - 20)]))
        await recv_until(ws, "ack")
        # the same in separate frames: the same rule
        await ws.send(ping_frame(6, t=now - 8))
        await recv_until(ws, "ack")
        await ws.send(ping_frame(6, t=now - 6))
        await recv_until(ws, "ack")
        await ws.send(ping_frame(6, t=now - 8))
        await recv_until(ws, "ack")
    rows = await stored(pool, volunteer["id"])
    assert [(r["seq"], round(float(r["t"]) - now)) for r in rows] == [(5, -20), (5, -10), (6, -8), (6, -6)]


async def test_frame_type_of_the_wrong_json_type_is_malformed_not_a_crash(ingest, pool, volunteer):
    """Found by tests/ingest/test_parsers_fuzz.py: {"type": []} raised TypeError (unhashable)."""
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        for frame in ('{"type": []}', '{"type": "shift", "action": {}}'):
            await ws.send(frame)
            err = await recv_until(ws, "error")
            assert err["code"] == "malformed"
        await ws.send(ping_frame(1))
        assert (await recv_until(ws, "ack"))["seqs"] == [1]
