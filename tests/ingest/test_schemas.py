"""docs/schemas/*.json describe the frames the server really sends and accepts."""

from __future__ import annotations

import time

import orjson
import pytest
from jsonschema import Draft202012Validator

from tests.ingest.conftest import connected, frames_for, ping, pings_frame
from tests.helpers.live import next_delta, subscribed
from tests.helpers.schemas import SCHEMAS, validate


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_is_valid(name):
    Draft202012Validator.check_schema(SCHEMAS[name])


async def test_real_frames_match_schemas(ingest, volunteer, redis_url):
    auth = {"type": "auth", "token": volunteer["token"], "protocol": 1}
    validate("auth", auth)
    good = [ping(1, alt=30.0, spd=1.0, hdg=10.0, bat=0.5), ping(2, acc=500.0)]
    validate("ping", {"type": "ping", **good[0]})
    validate("pings", {"type": "pings", "pings": good})
    async with (
        subscribed(redis_url, volunteer["campaign_id"]) as pubsub,
        connected(ingest.ws_url, volunteer["token"]) as (ws, ready),
    ):
        validate("ready", ready)
        await ws.send(pings_frame(good + [ping(3, lat=100.0)]))
        await ws.send("nonsense")
        now = time.time()
        for k in range(3):  # 180 pings at once: over the burst of 100
            await ws.send(pings_frame([ping(10 + k * 60 + i, t=now - 1 + (k * 60 + i) * 1e-3) for i in range(60)]))
        frames = await frames_for(ws, 1.5)
        validate("live_delta", await next_delta(pubsub))
    kinds = {f["type"] for f in frames}
    assert {"ack", "error", "warning", "throttle"} <= kinds
    for f in frames:
        validate(f["type"], f)


async def test_shift_frames_match_schemas(ingest, off_duty, redis_url):
    start, end = {"type": "shift", "action": "start"}, {"type": "shift", "action": "end"}
    validate("shift_request", start)
    validate("shift_request", end)
    async with (
        subscribed(redis_url, off_duty["campaign_id"]) as pubsub,
        connected(ingest.ws_url, off_duty["token"], shift=False) as (ws, ready),
    ):
        validate("ready", ready)
        assert ready["shift"] is None
        await ws.send(pings_frame([ping(1)]))
        await ws.send(orjson.dumps(start).decode())
        await ws.send(orjson.dumps(end).decode())
        await ws.send(orjson.dumps(end).decode())
        frames = await frames_for(ws, 1.5)
        events = [await next_delta(pubsub, kind="shift") for _ in range(2)]
    assert [f["type"] for f in frames] == ["error", "shift", "shift", "shift"]
    assert frames[0]["code"] == "off_shift"
    assert [f["state"] for f in frames[1:]] == ["on", "off", "off"]
    for f in frames:
        validate(f["type"], f)
    assert [e["on"] for e in events] == [True, False]
    for e in events:
        validate("live_activity", e)
