"""Door outcomes on real Paris addresses: stored once per client_id (an outbox resend, even much
later, is one row), refused with a reason when wrong, shaping the walk list (refused doors leave
it for the day, "later" ones go last), counted in coverage and the volunteer's tally, and told to
HQ's live feed within the viewer's district."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import pytest

from tests.conftest import add_user, bearer
from tests.server.live.conftest import frames_for, frames_until, live_server, snapshot  # noqa: F401 (fixture)
from tests.helpers.doors import station_doors


def outcome(address: int, what: str, **more) -> dict:
    return {"address": address, "outcome": what, "client_id": str(uuid.uuid4()), **more}


async def test_outcomes_shape_the_walk_list_and_coverage(client, pool, paris):
    slug = paris["slug"]
    vol, hq = await add_user(pool, slug, "volunteer"), await add_user(pool, slug, "coordinator")
    (st,) = await station_doors(pool, paris["id"])
    d = st["doors"]
    h = bearer(vol["token"])
    sent = [
        outcome(d[0], "refused"),
        outcome(d[1], "later"),
        outcome(d[2], "not_home"),
        outcome(d[3], "opened"),
        outcome(d[4], "contact"),
    ]
    for body in sent:
        r = await client.post(f"/api/campaigns/{slug}/doors/outcomes", json=body, headers=h)
        assert r.status_code == 201, r.text
        got = r.json()["outcome"]
        assert (got["address"], got["station"], got["outcome"]) == (body["address"], st["code"], body["outcome"])

    walk = (await client.get(f"/api/campaigns/{slug}/stations/{st['code']}/walk", headers=h)).json()
    ids = [s["id"] for s in walk["stops"]]
    assert d[0] not in ids  # refused today: not proposed again
    assert ids[-1] == d[1] and len(ids) == len(d) - 1  # "later": proposed, at the end

    tally = (await client.get(f"/api/campaigns/{slug}/doors/tally/mine", headers=h)).json()
    assert tally == {"doors_knocked": 5, "doors_opened": 4, "contacts": 1}
    cov = (await client.get(f"/api/campaigns/{slug}/doors/coverage", headers=bearer(hq["token"]))).json()
    (mine,) = [s for s in cov["stations"] if s["station"] == st["code"]]
    assert mine["doors"] == len(d)
    assert (mine["knocked"], mine["opened"], mine["refused"], mine["contacts"]) == (5, 4, 1, 1)
    assert mine["share_knocked"] == pytest.approx(5 / len(d), abs=1e-4)
    listed = (
        await client.get(
            f"/api/campaigns/{slug}/doors/outcomes", params={"station": st["code"]}, headers=bearer(hq["token"])
        )
    ).json()
    assert sorted(o["address"] for o in listed["outcomes"]) == sorted(d[:5])
    assert (await client.get(f"/api/campaigns/{slug}/doors/outcomes", headers=h)).status_code == 403


async def test_an_outbox_resend_is_stored_once_with_the_visit_time(client, pool, paris):
    slug = paris["slug"]
    vol = await add_user(pool, slug, "volunteer")
    (st,) = await station_doors(pool, paris["id"])
    knocked = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)  # offline since then
    body = outcome(st["doors"][0], "not_home", at=knocked.isoformat())
    url, h = f"/api/campaigns/{slug}/doors/outcomes", bearer(vol["token"])
    # the phone comes back online and its outbox sends the outcome several times at once
    answers = await asyncio.gather(*(client.post(url, json=body, headers=h) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
    assert len({a.json()["outcome"]["id"] for a in answers}) == 1
    again = await client.post(url, json=body, headers=h)
    assert again.status_code == 200 and again.json()["created"] is False
    async with pool.acquire() as c:
        rows = await c.fetch(
            "SELECT visited_at FROM door_outcomes o JOIN users u ON u.id = o.user_id WHERE u.login = $1", vol["login"]
        )
    assert len(rows) == 1 and abs((rows[0]["visited_at"] - knocked).total_seconds()) < 0.01


@pytest.mark.parametrize(
    "change, status, reason",
    [
        ({"outcome": "voted for X"}, 422, "outcome"),
        ({"note": "nice lady"}, 422, "note"),
        ({"client_id": None}, 422, "client_id"),
        ({"at": "2001-01-01T00:00:00Z"}, 422, "within the last 7 days"),
        ({"address": -1}, 404, "no address -1"),
    ],
)
async def test_bad_outcomes_are_refused_with_a_reason(client, pool, paris, change, status, reason):
    vol = await add_user(pool, paris["slug"], "volunteer")
    (st,) = await station_doors(pool, paris["id"])
    body = {**outcome(st["doors"][0], "opened"), **change}
    r = await client.post(f"/api/campaigns/{paris['slug']}/doors/outcomes", json=body, headers=bearer(vol["token"]))
    assert r.status_code == status, r.text
    assert reason in r.json()["detail"]
    async with pool.acquire() as c:
        assert (
            await c.fetchval(
                "SELECT count(*) FROM door_outcomes o JOIN users u ON u.id = o.user_id WHERE u.login = $1", vol["login"]
            )
            == 0
        )


async def test_an_address_of_another_campaign_is_not_found(client, pool, paris, campaign):
    outsider = await add_user(pool, campaign["slug"], "volunteer")
    (st,) = await station_doors(pool, paris["id"])
    r = await client.post(
        f"/api/campaigns/{campaign['slug']}/doors/outcomes",
        json=outcome(st["doors"][0], "opened"),
        headers=bearer(outsider["token"]),
    )
    assert r.status_code == 404


async def test_an_outcome_reaches_hq_live_feed_in_scope(client, pool, paris, live_server):  # noqa: F811
    slug = paris["slug"]
    vol, hq = await add_user(pool, slug, "volunteer"), await add_user(pool, slug, "coordinator")
    (st,) = await station_doors(pool, paris["id"])
    async with pool.acquire() as c:
        other = await c.fetchval(
            "SELECT code FROM areas WHERE campaign_id = $1 AND level = 'district' AND code <> $2 LIMIT 1",
            paris["id"],
            st["district"],
        )
        vid = await c.fetchval("SELECT id FROM users WHERE login = $1", vol["login"])
    here, _ = await snapshot(live_server.url, hq["token"], slug, district=st["district"])
    there, _ = await snapshot(live_server.url, hq["token"], slug, district=other)
    async with here, there:
        r = await client.post(
            f"/api/campaigns/{slug}/doors/outcomes",
            json=outcome(st["doors"][0], "contact"),
            headers=bearer(vol["token"]),
        )
        assert r.status_code == 201 and r.json()["live_notified"]

        def doors(frames):
            return [e for f in frames for e in f.get("events", []) if e.get("type") == "door" and e["v"] == vid]

        (e,) = doors(await frames_until(here, doors))
        assert (e["station"], e["outcome"], e["ds"], e["door"]) == (
            st["code"],
            "contact",
            st["district"],
            r.json()["outcome"]["id"],
        )
        assert doors(await frames_for(there, 1.0)) == []
