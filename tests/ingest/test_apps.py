"""OwnTracks (HTTP mode) and Traccar Client (OsmAnd protocol, classic and JSON)."""

from __future__ import annotations

import datetime as dt
import time
import warnings

import httpx
import pytest

from ingest.app import create_ingest_app
from tests.ingest.conftest import stored


@pytest.fixture
async def http(ingest):
    async with httpx.AsyncClient(base_url=ingest.http_url, timeout=20) as client:
        yield client


# --- OwnTracks ------------------------------------------------------------------------------
def owntracks_location(tst: int, **kw) -> dict:
    return {
        "_type": "location",
        "lat": 48.8606,
        "lon": 2.3376,
        "tst": tst,
        "acc": 12,
        "alt": 40,
        "vel": 18,
        "cog": 270,
        "batt": 64,
        "tid": "VO",
        "t": "u",
        **kw,
    }


async def test_owntracks_location_stored_once_with_units(http, pool, volunteer):
    auth = (volunteer["login"], volunteer["device_token"])
    tst = int(time.time()) - 5
    for _ in range(2):  # the app resends when it saw no answer: stored once
        r = await http.post("/api/owntracks", json=owntracks_location(tst), auth=auth)
        assert r.status_code == 200 and r.json() == []
    rows = await stored(pool, volunteer["id"], "owntracks")
    assert len(rows) == 1
    row = rows[0]
    assert row["seq"] == tst * 1000 and row["t"] == tst
    assert row["spd"] == pytest.approx(5.0)  # 18 km/h
    assert row["bat"] == pytest.approx(0.64)  # 64 %
    assert (row["hdg"], row["alt"], row["acc"]) == (270.0, 40.0, 12.0)


async def test_owntracks_other_types_ignored(http, pool, volunteer):
    auth = (volunteer["login"], volunteer["device_token"])
    for msg in (
        {"_type": "transition", "event": "enter", "tst": int(time.time())},
        {"_type": "lwt", "tst": int(time.time())},
        {"_type": "status"},
    ):
        r = await http.post("/api/owntracks", json=msg, auth=auth)
        assert r.status_code == 200 and r.json() == []
    assert await stored(pool, volunteer["id"]) == []


async def test_owntracks_bad_auth_401(http, volunteer):
    for auth in ((volunteer["login"], "qd_wrong"), ("someone-else", volunteer["device_token"]), None):
        r = await http.post("/api/owntracks", json=owntracks_location(int(time.time())), auth=auth)
        assert r.status_code == 401


async def test_owntracks_bad_input_400(http, volunteer):
    auth = (volunteer["login"], volunteer["device_token"])
    r = await http.post("/api/owntracks", json=owntracks_location(int(time.time()), lat=123.0), auth=auth)
    assert r.status_code == 400 and r.json()["code"] == "out_of_range"
    r = await http.post("/api/owntracks", json=owntracks_location(int(time.time()) + 86400), auth=auth)
    assert r.status_code == 400 and r.json()["code"] == "future"
    r = await http.post("/api/owntracks", content=b"{oops", auth=auth)
    assert r.status_code == 400 and r.json()["code"] == "malformed"


# --- Traccar Client, classic OsmAnd ---------------------------------------------------------
async def test_traccar_classic_query_and_form(http, pool, volunteer):
    now = int(time.time())
    q = {
        "id": volunteer["device_token"],
        "lat": "48.85",
        "lon": "2.35",
        "timestamp": str(now - 20),
        "accuracy": "9.5",
        "altitude": "33",
        "speed": "10",
        "bearing": "180",
        "batt": "42",
    }
    assert (await http.get("/api/osmand", params=q)).status_code == 200
    assert (await http.post("/api/osmand", params=q)).status_code == 200  # same again: stored once
    form = dict(q, timestamp=dt.datetime.fromtimestamp(now - 10, dt.UTC).strftime("%Y-%m-%d %H:%M:%S"))
    form.pop("lat"), form.pop("lon")
    form["location"] = "48.86,2.36"
    assert (await http.post("/api/osmand", data=form)).status_code == 200
    rows = await stored(pool, volunteer["id"], "osmand")
    assert [r["seq"] for r in rows] == [(now - 20) * 1000, (now - 10) * 1000]
    assert rows[0]["spd"] == pytest.approx(10 * 0.514444, rel=1e-4)  # knots -> m/s
    assert (rows[0]["bat"], rows[0]["hdg"], rows[0]["acc"]) == (pytest.approx(0.42), 180.0, 9.5)
    assert (rows[1]["lat"], rows[1]["lon"]) == (pytest.approx(48.86), pytest.approx(2.36))


async def test_traccar_classic_errors(http, volunteer):
    now = str(int(time.time()))
    base = {"id": volunteer["device_token"], "lat": "48.85", "lon": "2.35", "timestamp": now}
    r = await http.get("/api/osmand", params=dict(base, id="qd_unknown"))
    assert r.status_code == 403
    r = await http.get("/api/osmand", params=dict(base, lat="nan"))  # not a decimal number, as on the websocket
    assert r.status_code == 400 and r.json()["code"] == "malformed" and "lat" in r.json()["detail"]
    r = await http.get("/api/osmand", params=dict(base, lon="east"))
    assert r.status_code == 400 and "lon" in r.json()["detail"]
    r = await http.get("/api/osmand", params=dict(base, timestamp="yesterday"))
    assert r.status_code == 400 and r.json()["code"] == "malformed"
    r = await http.get("/api/osmand", params=dict(base, timestamp=str(int(time.time()) - 40 * 86400)))
    assert r.status_code == 400 and r.json()["code"] == "too_old"


# --- Traccar Client 9+, JSON ----------------------------------------------------------------
async def test_traccar_json(http, pool, volunteer):
    ts = dt.datetime.now(dt.UTC).replace(microsecond=123000) - dt.timedelta(seconds=30)
    body = {
        "location": {
            "timestamp": ts.isoformat().replace("+00:00", "Z"),
            "coords": {
                "latitude": 48.87,
                "longitude": 2.33,
                "accuracy": 250,
                "speed": 1.5,
                "heading": -1,
                "altitude": 50,
            },
            "is_moving": True,
            "odometer": 0,
            "event": "motionchange",
            "battery": {"level": 0.75, "is_charging": False},
            "activity": {"type": "walking"},
            "extras": {},
        },
        "device_id": volunteer["device_token"],
    }
    for _ in range(2):
        assert (await http.post("/api/osmand", json=body)).status_code == 200
    rows = await stored(pool, volunteer["id"], "osmand")
    assert len(rows) == 1
    r = rows[0]
    assert r["seq"] == int(ts.timestamp() * 1000)
    assert (r["spd"], r["bat"], r["hdg"], r["low_accuracy"]) == (1.5, 0.75, None, True)  # m/s, 0..1
    assert (await http.post("/api/osmand", json=dict(body, device_id="qd_nobody"))).status_code == 403
    bad = {"location": {"timestamp": "x", "coords": {}}, "device_id": volunteer["device_token"]}
    assert (await http.post("/api/osmand", json=bad)).status_code == 400


# --- Device tokens: the apps' own credential ------------------------------------------------
async def test_apps_refuse_the_hq_api_token(http, pool, volunteer):
    """The apps carry their credential in URLs and settings screens: the HQ API token must not
    open them, and the device token must not open the HQ API (tests/server/auth)."""
    now = int(time.time())
    q = {"id": volunteer["token"], "lat": "48.85", "lon": "2.35", "timestamp": str(now - 5)}
    assert (await http.get("/api/osmand", params=q)).status_code == 403
    r = await http.post(
        "/api/owntracks", json=owntracks_location(now - 5), auth=(volunteer["login"], volunteer["token"])
    )
    assert r.status_code == 401
    assert await stored(pool, volunteer["id"]) == []


# --- The app routes served ahead of FastAPI (ingest/app_routes.py) -------------------------
async def test_app_routes_refuse_bad_requests_with_problem_details(http, pool, volunteer):
    """The same answers as the FastAPI routes gave: problem details with a reason, never a 500."""
    auth = (volunteer["login"], volunteer["device_token"])
    cases = [
        (http.post("/api/owntracks", content=b"not json at all", auth=auth), 400, "not JSON"),
        (http.post("/api/owntracks", content=b"[1, 2]", auth=auth), 400, "expected a JSON object"),
        (http.post("/api/owntracks", content=b"{" + b" " * 70_000 + b"}", auth=auth), 400, "larger than"),
        (http.post("/api/osmand", content=b"{nope", headers={"content-type": "application/json"}), 400, "not JSON"),
        (http.post("/api/osmand", content=b"id=%FF", headers={"content-type": "text/plain"}), 403, "unknown device"),
        (http.post("/api/osmand", content=b"lat=1&id=\xff"), 400, "not UTF-8"),
        (http.get("/api/osmand", params={"lat": "48.85"}), 400, "id (the device token) is required"),
        (http.put("/api/osmand", params={"id": volunteer["device_token"]}), 405, "Method Not Allowed"),
    ]
    for request, status, reason in cases:
        r = await request
        assert r.status_code == status, (reason, r.text)
        assert r.headers["content-type"] == "application/problem+json" and reason in r.json()["detail"]
    r = await http.post("/api/owntracks", json=owntracks_location(int(time.time())))
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic ")
    assert await stored(pool, volunteer["id"]) == []


async def test_app_routes_stay_in_the_openapi_document(http):
    paths = (await http.get("/openapi.json")).json()["paths"]
    assert set(paths["/api/owntracks"]) == {"post"} and set(paths["/api/osmand"]) == {"get", "post"}
    assert [p["name"] for p in paths["/api/owntracks"]["post"]["parameters"]] == ["campaign"]


def test_every_operation_of_the_openapi_document_has_its_own_id():
    # A fresh app: the served document is built once per app, its warnings long gone by now.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = create_ingest_app().openapi()["paths"]
    assert [str(w.message) for w in caught if "Duplicate Operation ID" in str(w.message)] == []
    ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert len(ids) == len(set(ids)), ids
    # Clients that call the OsmAnd GET by its id keep it.
    assert paths["/api/osmand"]["get"]["operationId"] == "osmand_api_osmand_get"
