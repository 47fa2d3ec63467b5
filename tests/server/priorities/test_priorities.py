"""Polling stations ranked by where canvassing pays most, on the real Paris results."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest

from server.priorities import ranking
from tests.conftest import add_user, bearer
from tests.helpers.canvass import canvass

UTC = dt.timezone.utc
_seq = itertools.count(1)


@pytest.fixture
async def hq(pool, paris):
    return bearer((await add_user(pool, paris["slug"], "coordinator", "HQ"))["token"])


@pytest.fixture
def window():
    """A one-hour window of this test's own, days ago, so other tests' pings never fall in it."""
    start = dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(hours=uuid.uuid4().int % 2000)
    return start, start + dt.timedelta(hours=1)


async def results(pool, campaign_id: int) -> dict[str, dict]:
    async with pool.acquire() as c:
        election = await c.fetchval(
            "SELECT election FROM election_results WHERE campaign_id = $1 ORDER BY imported_at DESC, election LIMIT 1",
            campaign_id,
        )
        rows = await c.fetch(
            "SELECT code, registered, abstentions, lists FROM election_results "
            "WHERE campaign_id = $1 AND election = $2",
            campaign_id,
            election,
        )
    return {r["code"]: dict(r) for r in rows}


def q(window, **kw) -> dict:
    return {"since": window[0].isoformat(), "until": window[1].isoformat(), **kw}


async def test_most_abstainers_first_then_canvassing_lowers_the_rank(client, pool, paris, hq, window):
    res = await results(pool, paris["id"])
    by_abst = sorted(
        (r for r in res.values() if r["abstentions"] is not None), key=lambda r: (-r["abstentions"], r["code"])
    )
    url = f"/api/campaigns/{paris['slug']}/priorities"
    r = await client.get(url, params=q(window, limit=5), headers=hq)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [s["code"] for s in body["stations"]] == [x["code"] for x in by_abst[:5]]
    top = body["stations"][0]
    assert top["rank"] == 1 and top["score"] == top["abstentions"] == by_abst[0]["abstentions"]
    assert top["visits"] == {"volunteers": 0, "pings": 0, "doors_knocked": 0, "reports": 0, "last": None}
    assert "not canvassed in this period" in top["reasons"]

    # two volunteers canvass the top station in the window: its score is a third
    await canvass(
        pool, paris["id"], top["code"], [7_000_001, 7_000_002, 7_000_002], window[0] + dt.timedelta(minutes=5)
    )
    body = (await client.get(url, params=q(window, limit=1000), headers=hq)).json()
    again = next(s for s in body["stations"] if s["code"] == top["code"])
    assert again["visits"]["volunteers"] == 2 and again["visits"]["pings"] == 3
    assert again["score"] == pytest.approx(top["abstentions"] / 3)
    assert again["rank"] > 1 and body["stations"][0]["code"] == by_abst[1]["code"]
    # outside the window those visits do not count
    later = (window[1], window[1] + dt.timedelta(hours=1))
    body = (await client.get(url, params=q(later, limit=1), headers=hq)).json()
    assert body["stations"][0]["code"] == top["code"]
    # only the stations nobody canvassed
    body = (await client.get(url, params=q(window, limit=100_000, unvisited="true"), headers=hq)).json()
    assert top["code"] not in {s["code"] for s in body["stations"]}
    assert len(body["stations"]) == 902 - 1


async def test_a_tour_report_counts_as_canvassing(client, pool, paris, hq, window):
    """A volunteer who declined tracking but reported their tour canvassed the station too: it
    is not "unvisited", its score drops, and the doors they knocked are among the reasons."""
    url = f"/api/campaigns/{paris['slug']}/priorities"
    top = (await client.get(url, params=q(window, limit=1), headers=hq)).json()["stations"][0]
    reporter = await add_user(pool, paris["slug"], "volunteer", "Untracked")
    async with pool.acquire() as c:
        uid = await c.fetchval("SELECT id FROM users WHERE login = $1", reporter["login"])
        area = await c.fetchval(
            "SELECT id FROM areas WHERE campaign_id = $1 AND level = 'polling_station' AND code = $2",
            paris["id"],
            top["code"],
        )
        await c.execute(
            "INSERT INTO tour_reports (campaign_id, user_id, area_id, area_source, doors_knocked, "
            "doors_opened, contacts, created_at) VALUES ($1, $2, $3, 'given', 64, 20, 3, $4)",
            paris["id"],
            uid,
            area,
            window[0] + dt.timedelta(minutes=10),
        )
    body = (await client.get(url, params=q(window, limit=100_000), headers=hq)).json()
    again = next(s for s in body["stations"] if s["code"] == top["code"])
    assert again["visits"]["volunteers"] == 1 and again["visits"]["pings"] == 0
    assert (again["visits"]["doors_knocked"], again["visits"]["reports"]) == (64, 1)
    assert again["score"] == pytest.approx(top["abstentions"] / 2)
    assert "64 doors knocked, as reported" in again["reasons"]
    unvisited = (await client.get(url, params=q(window, limit=100_000, unvisited="true"), headers=hq)).json()
    assert top["code"] not in {s["code"] for s in unvisited["stations"]}


async def test_weighting_by_a_list(client, pool, paris, hq, window):
    res = await results(pool, paris["id"])
    name = next(iter(next(r for r in res.values() if r["lists"])["lists"]))
    expected = sorted(
        (
            (r["abstentions"] * r["lists"][name]["share"], r["code"])
            for r in res.values()
            if r["abstentions"] is not None and name in r["lists"] and r["lists"][name]["share"] is not None
        ),
        key=lambda x: (-x[0], x[1]),
    )
    body = (
        await client.get(f"/api/campaigns/{paris['slug']}/priorities", params=q(window, list=name, limit=3), headers=hq)
    ).json()
    assert body["list"] == name
    assert [(s["code"], pytest.approx(s["score"])) for s in body["stations"]] == [
        (code, pytest.approx(score)) for score, code in expected[:3]
    ]
    assert any(name in reason for reason in body["stations"][0]["reasons"])


async def test_bad_requests_and_roles(client, pool, paris, hq, window):
    url = f"/api/campaigns/{paris['slug']}/priorities"
    r = await client.get(url, params=q(window, list="No Such List"), headers=hq)
    assert r.status_code == 422 and "No Such List" in r.json()["detail"]
    r = await client.get(url, params={"since": window[1].isoformat(), "until": window[0].isoformat()}, headers=hq)
    assert r.status_code == 422
    volunteer = bearer((await add_user(pool, paris["slug"], "volunteer"))["token"])
    assert (await client.get(url, headers=volunteer)).status_code == 403


def test_stations_without_results_rank_last():
    a = ranking.StationFigures("1-1", None, None, None, 0)
    b = ranking.StationFigures("1-2", 1000, 10, None, 5)
    keys = sorted([(ranking.score(a, False), "1-1"), (ranking.score(b, False), "1-2")], key=ranking.rank_key)
    assert [k[1] for k in keys] == ["1-2", "1-1"]
    assert ranking.reasons(a, False, None) == ["no election results for this station"]
