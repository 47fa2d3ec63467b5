"""OwnTracks app, HTTP mode: POST /api/owntracks with HTTP Basic auth (login, device token).

OwnTracks' JSON (https://owntracks.org/booklet/tech/json/): `_type: location` carries lat, lon,
tst (epoch s), acc (m), alt (m), vel (km/h), cog (degrees), batt (%), tid... Every other _type
(transition, waypoint, lwt, status...) is answered with [] and ignored. The answer body is a JSON
array of commands for the app: always [] here.
"""
from __future__ import annotations

import base64
import binascii

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from ingest.device_http import KMH_TO_MS, BadPing, answer, in_range, number, read_body, store
from ingest.protocol import Ping
from server.errors import Unauthenticated

router = APIRouter()
EMPTY = Response(b"[]", media_type="application/json")


def basic_credentials(request: Request) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        raise Unauthenticated("HTTP Basic auth required: user = your login, password = your device token")
    try:
        login, sep, token = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthenticated("malformed Basic credentials") from None
    if not sep or not login or not token:
        raise Unauthenticated("malformed Basic credentials")
    return login, token


def to_ping(msg: dict) -> Ping:
    tst = number(msg.get("tst"), "tst", required=True)
    vel, batt = number(msg.get("vel"), "vel"), number(msg.get("batt"), "batt")
    return Ping(
        seq=int(round(tst * 1000)), t=tst,
        lat=number(msg.get("lat"), "lat", required=True), lon=number(msg.get("lon"), "lon", required=True),
        acc=number(msg.get("acc"), "acc"), alt=in_range(number(msg.get("alt"), "alt"), -1e5, 1e5),
        spd=in_range(vel * KMH_TO_MS if vel is not None else None, 0.0, None),
        hdg=in_range(number(msg.get("cog"), "cog"), 0.0, 360.0),
        bat=in_range(batt / 100.0 if batt is not None else None, 0.0, 1.0),
    )


@router.post("/api/owntracks")
async def owntracks(request: Request, campaign: str | None = None) -> Response:
    """`campaign` (query) names the campaign when the volunteer belongs to several."""
    login, token = basic_credentials(request)
    device = await request.state.auth.authenticate(token, login=login, campaign=campaign, use_cache=True,
                                                    device_only=True)
    try:
        msg = orjson.loads(await read_body(request))
    except orjson.JSONDecodeError as exc:
        raise BadPing(f"not JSON: {exc}", code="malformed") from None
    if not isinstance(msg, dict):
        raise BadPing("expected a JSON object with _type", code="malformed")
    if msg.get("_type") != "location":
        return EMPTY
    return answer(EMPTY, await store(request, device, "owntracks", to_ping(msg)))
