"""Traccar Client (and OsmAnd) at /api/osmand: the OsmAnd protocol, both of its forms.

https://www.traccar.org/osmand/
- Classic: GET or POST, query or form parameters: id|deviceid (here: the device token), lat, lon
  (or location=lat,lon), timestamp (epoch s or ms, ISO 8601, or 'yyyy-MM-dd HH:mm:ss'),
  accuracy (m), altitude (m), speed (KNOTS), bearing|heading (degrees), batt (%), valid.
- JSON (Traccar Client 9+, the transistorsoft background-geolocation format):
  {"location": {"timestamp": ISO, "coords": {latitude, longitude, accuracy, speed (m/s),
  heading, altitude}, "battery": {"level": 0..1, "is_charging"}, "is_moving", "event", ...},
  "device_id": token}. "location" may also be a list (a batch sync).
Answers 200 (empty body) once committed; 400 with a reason on bad input; 403 on unknown id.
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from ingest.auth import Device
from ingest.device_http import KNOTS_TO_MS, Answer, AppRequest, BadPing, as_response, checked, form_fields, store
from ingest.fields import parse_time, seq_of_time, text_number
from ingest.protocol import MALFORMED, Ping, PingError, json_number
from server.errors import Forbidden, Unauthenticated

router = APIRouter()


# The two forms' names for our fields, for the reasons of a refusal.
CLASSIC_NAMES = {
    "lat": "lat",
    "lon": "lon",
    "acc": "accuracy",
    "alt": "altitude",
    "spd": "speed",
    "hdg": "bearing",
    "bat": "batt",
}
JSON_NAMES = {
    "lat": "coords.latitude",
    "lon": "coords.longitude",
    "acc": "coords.accuracy",
    "alt": "coords.altitude",
    "spd": "coords.speed",
    "hdg": "coords.heading",
    "bat": "battery.level",
}


def classic_ping(params: dict[str, str]) -> Ping | None:
    """Query or form parameters -> Ping (units converted; ranges are checked by check_ping), or
    None when the app flags the fix invalid (valid=false): nothing to store. Raises PingError."""
    if params.get("valid", "true").lower() in ("false", "0"):
        return None
    lat, lon = params.get("lat"), params.get("lon")
    if (lat is None or lon is None) and "location" in params:
        lat, _, lon = params["location"].partition(",")
    ts = params.get("timestamp")
    if ts is None or ts == "":
        raise PingError(None, MALFORMED, "timestamp is required")
    t = parse_time(ts)
    speed, batt = text_number(params.get("speed"), "speed"), text_number(params.get("batt"), "batt")
    return Ping(
        seq=seq_of_time(t),
        t=t,
        lat=text_number(lat, "lat", required=True),
        lon=text_number(lon, "lon", required=True),
        acc=text_number(params.get("accuracy"), "accuracy"),
        alt=text_number(params.get("altitude"), "altitude"),
        spd=speed * KNOTS_TO_MS if speed is not None else None,
        hdg=text_number(params.get("bearing", params.get("heading")), "bearing"),
        bat=batt / 100.0 if batt is not None else None,
    )


def json_ping(loc) -> Ping:
    """Traccar Client 9+'s JSON location -> Ping; numbers must be JSON numbers. Raises PingError."""
    if not isinstance(loc, dict) or not isinstance(loc.get("coords"), dict):
        raise PingError(None, MALFORMED, "location.coords is required")
    c = loc["coords"]
    battery = loc.get("battery") if isinstance(loc.get("battery"), dict) else {}
    if loc.get("timestamp") in (None, ""):
        raise PingError(None, MALFORMED, "location.timestamp is required")
    t = parse_time(loc["timestamp"], "location.timestamp")
    return Ping(
        seq=seq_of_time(t),
        t=t,
        lat=json_number(c.get("latitude"), "coords.latitude", required=True),
        lon=json_number(c.get("longitude"), "coords.longitude", required=True),
        acc=json_number(c.get("accuracy"), "coords.accuracy"),
        alt=json_number(c.get("altitude"), "coords.altitude"),
        spd=json_number(c.get("speed"), "coords.speed"),
        hdg=json_number(c.get("heading"), "coords.heading"),
        bat=json_number(battery.get("level"), "battery.level"),
    )


async def _device(request: AppRequest, token, campaign: str | None) -> Device:
    if not isinstance(token, str) or not token:
        raise BadPing("id (the device token) is required", code="malformed")
    try:
        return await request.state["auth"].authenticate(
            token, campaign=campaign, use_cache=True, device_only=True, ip=request.client_ip()
        )
    except Unauthenticated:
        raise Forbidden("unknown device id: use your Quadriller device token as the identifier") from None


async def osmand_fix(request: AppRequest) -> Answer:
    """GET or POST /api/osmand, served by ingest/app_routes.py."""
    body = await request.body() if request.method == "POST" else b""
    params = request.query()
    if body and (request.header(b"content-type").startswith("application/json") or body.lstrip()[:1] == b"{"):
        try:
            msg = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise BadPing(f"not JSON: {exc}", code="malformed") from None
        if not isinstance(msg, dict):
            raise BadPing("expected a JSON object", code="malformed")
        device = await _device(request, msg.get("device_id") or params.get("id"), params.get("campaign"))
        locs = msg.get("location")
        not_stored = None
        for loc in locs if isinstance(locs, list) else [locs]:
            ping = checked(json_ping, loc)
            not_stored = await store(request.state, device, "osmand", ping, JSON_NAMES) or not_stored
        return Answer(b"", None, not_stored)
    campaign = params.get("campaign")
    if body:  # application/x-www-form-urlencoded (the classic POST)
        try:
            params.update(form_fields(body.decode()))
        except UnicodeDecodeError:
            raise BadPing("form body is not UTF-8", code="malformed") from None
    device = await _device(request, params.get("id") or params.get("deviceid"), campaign)
    ping = checked(classic_ping, params)
    if ping is None:
        return Answer(b"", None)
    return Answer(b"", None, await store(request.state, device, "osmand", ping, CLASSIC_NAMES))


# One route per method, not one api_route for both: FastAPI names operations by route, so a route
# with two methods gave both one operationId, which OpenAPI requires to be unique (FastAPI warned
# of the duplicate). GET is declared first (the lower decorator) so that it keeps its id and the
# document its order.
@router.post("/api/osmand")
@router.get("/api/osmand")
async def osmand(request: Request) -> Response:
    """The OsmAnd protocol (module docstring). Served by `osmand_fix` ahead of FastAPI: this
    route documents it, and answers the same when FastAPI routes the request."""
    return as_response(await osmand_fix(AppRequest(request.scope, request.receive)))
