"""Shifts over HTTP: a volunteer starts and ends their own; HQ lists them and may end anyone's;
every change reaches HQ's live channel."""

from __future__ import annotations

import pytest

from tests.conftest import add_user, agree_to_location, bearer
from tests.helpers.live import next_delta, subscribed


@pytest.fixture
async def people(pool, campaign):
    slug = campaign["slug"]
    people = {
        "admin": await add_user(pool, slug, "admin", "HQ"),
        "coordinator": await add_user(pool, slug, "coordinator", "Coord"),
        "ada": await add_user(pool, slug, "volunteer", "Ada"),
        "bo": await add_user(pool, slug, "volunteer", "Bo"),
    }
    for who in ("ada", "bo"):  # the phone's consent screen, recorded on the server
        await agree_to_location(pool, slug, people[who]["login"])
    return people


def url(campaign, tail: str = "") -> str:
    return f"/api/campaigns/{campaign['slug']}/shifts{tail}"


async def test_volunteer_starts_and_ends_own_shift(client, campaign, people, redis_url):
    ada = bearer(people["ada"]["token"])
    assert (await client.get(url(campaign, "/current"), headers=ada)).json() == {"shift": None}
    async with subscribed(redis_url, campaign["id"]) as pubsub:
        r = await client.post(url(campaign, "/start"), headers=ada)
        assert r.status_code == 201, r.text
        shift = r.json()["shift"]
        assert r.json()["created"] is True and r.json()["live_notified"] is True
        event = await next_delta(pubsub, kind="shift")
        assert (event["v"], event["on"], event["shift"]) == (shift["volunteer"], True, shift["id"])

        again = await client.post(url(campaign, "/start"), headers=ada)  # a retried request
        assert again.status_code == 200 and again.json()["shift"]["id"] == shift["id"]
        assert again.json()["created"] is False
        assert (await client.get(url(campaign, "/current"), headers=ada)).json()["shift"]["id"] == shift["id"]

        r = await client.post(url(campaign, "/end"), headers=ada)
        assert r.status_code == 200, r.text
        assert r.json()["shift"]["ended_by"] == "volunteer" and r.json()["shift"]["ended_at"] is not None
        event = await next_delta(pubsub, kind="shift")
        assert (event["on"], event["by"]) == (False, "volunteer")

    r = await client.post(url(campaign, "/end"), headers=ada)
    assert r.status_code == 404 and r.json()["code"] == "no_open_shift"
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_hq_lists_and_ends_shifts(client, campaign, people):
    ada, bo = bearer(people["ada"]["token"]), bearer(people["bo"]["token"])
    coord = bearer(people["coordinator"]["token"])
    a = (await client.post(url(campaign, "/start"), headers=ada)).json()["shift"]
    b = (await client.post(url(campaign, "/start"), headers=bo)).json()["shift"]

    open_now = (await client.get(url(campaign, "/open"), headers=coord)).json()
    assert {(s["id"], s["name"]) for s in open_now} == {(a["id"], "Ada"), (b["id"], "Bo")}

    # a volunteer sees neither the list nor someone else's shift
    assert (await client.get(url(campaign, "/open"), headers=ada)).status_code == 403
    assert (await client.get(url(campaign), headers=ada)).status_code == 403
    r = await client.post(url(campaign, f"/{b['id']}/end"), headers=ada)
    assert r.status_code == 404

    r = await client.post(url(campaign, f"/{b['id']}/end"), headers=coord)
    assert r.status_code == 200 and r.json()["shift"]["ended_by"] == "hq"
    again = await client.post(url(campaign, f"/{b['id']}/end"), headers=coord)  # ending twice is no error
    assert again.status_code == 200 and again.json()["shift"]["ended_by"] == "hq"

    listed = (await client.get(url(campaign), headers=coord)).json()["shifts"]
    assert [(s["id"], s["ended_by"]) for s in listed] == [(b["id"], "hq"), (a["id"], None)]
    only_ada = (await client.get(url(campaign), params={"volunteer": a["volunteer"]}, headers=coord)).json()
    assert [s["id"] for s in only_ada["shifts"]] == [a["id"]]
    assert (await client.get(url(campaign, "/open"), headers=coord)).json()[0]["id"] == a["id"]


async def test_other_campaigns_cannot_touch_shifts(client, campaign, paris, people, pool):
    outsider = await add_user(pool, paris["slug"], "admin", "Elsewhere")
    ada = bearer(people["ada"]["token"])
    a = (await client.post(url(campaign, "/start"), headers=ada)).json()["shift"]
    h = bearer(outsider["token"])
    for path in ("/start", "/end", f"/{a['id']}/end"):
        r = await client.post(url(campaign, path), headers=h)
        assert r.status_code == 404, (path, r.text)
    # a shift id of another campaign is not found through one's own campaign either
    assert (await client.post(url(paris, f"/{a['id']}/end"), headers=h)).status_code == 404
    assert (await client.post(url(campaign, "/start"))).status_code == 401
    assert (await client.get(url(campaign, "/current"), headers=ada)).json()["shift"]["id"] == a["id"]


async def test_bad_window_is_a_clear_error(client, campaign, people):
    coord = bearer(people["coordinator"]["token"])
    r = await client.get(
        url(campaign), params={"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, headers=coord
    )
    assert r.status_code == 422 and "before" in r.json()["detail"]
