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

from ingest.device_http import KMH_TO_MS, Answer, AppRequest, BadPing, as_response, checked, store
from ingest.fields import parse_time, seq_of_time
from ingest.protocol import Ping, json_number
from server.errors import Unauthenticated

router = APIRouter()
EMPTY = b"[]"  # the app's commands: none
JSON = "application/json"


class BasicAuthRequired(Unauthenticated):
    """401 with the challenge this endpoint speaks (Basic), not the HQ API's Bearer."""

    challenge = 'Basic realm="quadriller-ingest", charset="UTF-8"'


def basic_credentials(request: AppRequest) -> tuple[str, str]:
    header = request.header(b"authorization")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        raise BasicAuthRequired("HTTP Basic auth required: user = your login, password = your device token")
    try:
        login, sep, token = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise BasicAuthRequired("malformed Basic credentials") from None
    if not sep or not login or not token:
        raise BasicAuthRequired("malformed Basic credentials")
    return login, token


# OwnTracks' names for our fields, for the reasons of a refusal.
NAMES = {"lat": "lat", "lon": "lon", "acc": "acc", "alt": "alt", "spd": "vel", "hdg": "cog", "bat": "batt"}


def to_ping(msg: dict) -> Ping:
    """OwnTracks' JSON -> Ping (units converted; ranges are checked by check_ping). Numbers must
    be JSON numbers, as on the websocket: "48.85" (a string) is malformed. Raises PingError."""
    tst = parse_time(json_number(msg.get("tst"), "tst", required=True), "tst")
    vel, batt = json_number(msg.get("vel"), "vel"), json_number(msg.get("batt"), "batt")
    return Ping(
        seq=seq_of_time(tst),
        t=tst,
        lat=json_number(msg.get("lat"), "lat", required=True),
        lon=json_number(msg.get("lon"), "lon", required=True),
        acc=json_number(msg.get("acc"), "acc"),
        alt=json_number(msg.get("alt"), "alt"),
        spd=vel * KMH_TO_MS if vel is not None else None,
        hdg=json_number(msg.get("cog"), "cog"),
        bat=batt / 100.0 if batt is not None else None,
    )


async def owntracks_fix(request: AppRequest) -> Answer:
    """POST /api/owntracks, served by ingest/app_routes.py."""
    login, token = basic_credentials(request)
    device = await request.state["auth"].authenticate(
        token,
        login=login,
        campaign=request.query().get("campaign"),
        use_cache=True,
        device_only=True,
        ip=request.client_ip(),
    )
    try:
        msg = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise BadPing(f"not JSON: {exc}", code="malformed") from None
    if not isinstance(msg, dict):
        raise BadPing("expected a JSON object with _type", code="malformed")
    if msg.get("_type") != "location":
        return Answer(EMPTY, JSON)
    return Answer(EMPTY, JSON, await store(request.state, device, "owntracks", checked(to_ping, msg), NAMES))


@router.post("/api/owntracks")
async def owntracks(request: Request, campaign: str | None = None) -> Response:
    """`campaign` (query) names the campaign when the volunteer belongs to several. The body is
    OwnTracks' JSON message; the answer, `[]`. (Served by `owntracks_fix` ahead of FastAPI:
    this route documents it, and answers the same when FastAPI routes the request.)"""
    return as_response(await owntracks_fix(AppRequest(request.scope, request.receive)))
