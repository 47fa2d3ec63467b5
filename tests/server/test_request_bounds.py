"""Bad input is a 4xx problem detail naming the field, never a 500: bounded lists, strings and
ids, and times that leave the calendar when converted to UTC."""

from __future__ import annotations

import pytest

from tests.conftest import add_user, bearer


@pytest.fixture
async def hq(pool, campaign):
    user = await add_user(pool, campaign["slug"], "admin")
    return campaign["slug"], bearer(user["token"])


@pytest.mark.parametrize(
    "query",
    [
        "since=0001-01-01T00:00:00%2B01:00",
        "until=9999-12-31T23:59:59-01:00",
        "since=0001-01-01T00:00:00Z&until=0001-01-01T00:00:00Z",
    ],
)
async def test_times_out_of_the_calendar_are_422(client, hq, query):
    slug, headers = hq
    for path in ("shifts", "reports", "reports/totals", "priorities"):
        r = await client.get(f"/api/campaigns/{slug}/{path}?{query}", headers=headers)
        assert r.status_code == 422, (path, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_team_members_list_is_bounded(client, hq):
    slug, headers = hq
    r = await client.post(
        f"/api/campaigns/{slug}/teams", json={"name": "big", "members": list(range(1, 10_001))}, headers=headers
    )
    assert r.status_code == 422 and "members" in r.json()["detail"]


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "shifts/99999999999999999999/end", None),
        ("get", "shifts?volunteer=99999999999999999999", None),
        ("post", "dispatch/assignments", {"team": 2**63, "station": "x"}),
        ("post", "dispatch/assignments", {"team": 1, "station": "x" * 65}),
        ("get", "areas/polling_station/" + "9" * 65, None),
    ],
)
async def test_ids_and_codes_are_bounded(client, hq, method, path, body):
    slug, headers = hq
    r = await client.request(method.upper(), f"/api/campaigns/{slug}/{path}", json=body, headers=headers)
    assert r.status_code == 422, r.text


async def test_slug_is_bounded(client, hq):
    _, headers = hq
    r = await client.get("/api/campaigns/" + "s" * 65 + "/shifts", headers=headers)
    assert r.status_code == 422
