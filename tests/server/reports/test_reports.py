"""Tour reports on the real Paris stations: stored with the right station (named, where the
shift's pings fell, or the team's assignment), once per client_id, refused with a reason when
wrong, listed and summed for HQ, and told to HQ's live feed within the viewer's scope."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import pytest

from tests.conftest import add_user, agree_to_location, bearer, set_vocabulary
from tests.ingest.conftest import user_id
from tests.server.live.conftest import frames_for, frames_until, live_server, snapshot  # noqa: F401 (fixture)
from tests.helpers.canvass import canvass


@pytest.fixture
async def hq(pool, paris) -> dict:
    return await add_user(pool, paris["slug"], "coordinator", "HQ")


async def volunteer(pool, slug: str, name: str = "Walker") -> dict:
    u = await add_user(pool, slug, "volunteer", name)
    u["id"] = await user_id(pool, u["login"])
    return u


async def stations(pool, campaign_id: int, n: int) -> list[dict]:
    """n real polling stations of the campaign, with their district's code."""
    async with pool.acquire() as c:
        rows = await c.fetch(
            "SELECT a.id, a.code, (SELECT p.code FROM area_overlaps o JOIN areas p ON p.id = o.parent_id "
            "WHERE o.child_id = a.id AND p.level = 'district' ORDER BY o.share DESC LIMIT 1) AS district "
            "FROM areas a WHERE campaign_id = $1 AND level = 'polling_station' AND ST_Area(geom::geography) > 10000 "
            "ORDER BY random() LIMIT $2",
            campaign_id,
            n,
        )
    return [dict(r) for r in rows]


async def stored(pool, user: int) -> list[dict]:
    async with pool.acquire() as c:
        return [dict(r) for r in await c.fetch("SELECT * FROM tour_reports WHERE user_id = $1 ORDER BY id", user)]


async def test_report_to_a_named_station_is_listed_and_summed(client, pool, paris, hq):
    slug = paris["slug"]
    await set_vocabulary(pool, paris["id"])
    ada, bo = await volunteer(pool, slug, "Ada"), await volunteer(pool, slug, "Bo")
    s1, s2 = await stations(pool, paris["id"], 2)
    sent = [
        (ada, s1, 40, 12, 3, ["logement", "proprete", "logement"]),
        (bo, s1, 10, 4, 1, []),
        (ada, s2, 25, 5, 0, ["transports"]),
    ]
    for who, st, knocked, opened, contacts, tags in sent:
        r = await client.post(
            f"/api/campaigns/{slug}/reports",
            headers=bearer(who["token"]),
            json={
                "doors_knocked": knocked,
                "doors_opened": opened,
                "contacts": contacts,
                "tags": tags,
                "station": st["code"],
            },
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["created"] and body["live_notified"]
        rep = body["report"]
        assert (rep["station"], rep["station_source"], rep["doors_knocked"], rep["volunteer"]) == (
            st["code"],
            "given",
            knocked,
            who["id"],
        )
    assert (await stored(pool, ada["id"]))[0]["tags"] == ["logement", "proprete"]  # deduplicated

    h = bearer(hq["token"])
    listed = (await client.get(f"/api/campaigns/{slug}/reports", params={"station": s1["code"]}, headers=h)).json()
    mine = [r for r in listed["reports"] if r["volunteer"] in (ada["id"], bo["id"])]
    assert [(r["name"], r["doors_knocked"]) for r in mine] == [("Bo", 10), ("Ada", 40)]  # newest first
    totals = (await client.get(f"/api/campaigns/{slug}/reports/totals", headers=h)).json()
    per = {s["station"]: s for s in totals["stations"]}
    # other tests may report at these stations too: at least ours, and the campaign sum is the sum
    assert per[s1["code"]]["doors_knocked"] >= 50 and per[s1["code"]]["volunteers"] >= 2
    assert totals["all"]["doors_knocked"] == sum(s["doors_knocked"] for s in totals["stations"])
    assert totals["all"]["volunteers"] <= sum(s["volunteers"] for s in totals["stations"])

    own = (await client.get(f"/api/campaigns/{slug}/reports/mine", headers=bearer(ada["token"]))).json()
    assert sorted(r["doors_knocked"] for r in own["reports"]) == [25, 40]
    # a volunteer sees their own reports, not everyone's
    assert (await client.get(f"/api/campaigns/{slug}/reports", headers=bearer(ada["token"]))).status_code == 403
    assert (await client.get(f"/api/campaigns/{slug}/reports/totals", headers=bearer(bo["token"]))).status_code == 403


async def test_station_is_where_the_shift_went_else_the_assignment(client, pool, paris, hq):
    slug, cid = paris["slug"], paris["id"]
    walker, assigned, loose = (await volunteer(pool, slug), await volunteer(pool, slug), await volunteer(pool, slug))
    went, elsewhere, target = await stations(pool, cid, 3)

    # walker: on shift, most pings in `went`, one in `elsewhere`
    await agree_to_location(pool, slug, walker["login"])
    r = await client.post(f"/api/campaigns/{slug}/shifts/start", headers=bearer(walker["token"]))
    started = dt.datetime.fromisoformat(r.json()["shift"]["started_at"])
    for ms in (5, 10, 15):  # (canvass spaces one call's pings 1 s apart: one per call keeps them in the shift)
        await canvass(pool, cid, went["code"], [walker["id"]], started + dt.timedelta(milliseconds=ms))
    await canvass(pool, cid, elsewhere["code"], [walker["id"]], started + dt.timedelta(milliseconds=20))
    await asyncio.sleep(0.1)
    await client.post(f"/api/campaigns/{slug}/shifts/end", headers=bearer(walker["token"]))
    # assigned: no shift (declined tracking), but their team was sent to `target`
    team = (
        await client.post(
            f"/api/campaigns/{slug}/teams",
            headers=bearer(hq["token"]),
            json={"name": f"T {assigned['login']}", "members": [assigned["id"]]},
        )
    ).json()
    r = await client.post(
        f"/api/campaigns/{slug}/dispatch/assignments",
        headers=bearer(hq["token"]),
        json={"team": team["id"], "station": target["code"]},
    )
    assert r.status_code == 201, r.text

    got = {}
    for who in (walker, assigned, loose):
        r = await client.post(
            f"/api/campaigns/{slug}/reports",
            headers=bearer(who["token"]),
            json={"doors_knocked": 5, "doors_opened": 2, "contacts": 0},
        )
        assert r.status_code == 201, r.text
        got[who["id"]] = r.json()["report"]
    w, a, lo = got[walker["id"]], got[assigned["id"]], got[loose["id"]]
    assert (w["station"], w["station_source"]) == (went["code"], "pings") and w["shift"] is not None
    assert (a["station"], a["station_source"], a["team"]) == (target["code"], "assignment", team["id"])
    assert a["shift"] is None
    assert (lo["station"], lo["station_source"]) == (None, None)


async def test_a_resent_report_is_stored_once(client, pool, paris):
    slug = paris["slug"]
    ada = await volunteer(pool, slug)
    body = {"doors_knocked": 30, "doors_opened": 9, "contacts": 2, "client_id": str(uuid.uuid4())}
    url, h = f"/api/campaigns/{slug}/reports", bearer(ada["token"])
    first = await client.post(url, headers=h, json=body)
    assert first.status_code == 201
    again = await client.post(url, headers=h, json={**body, "doors_knocked": 31})
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["report"]["id"] == first.json()["report"]["id"]
    assert again.json()["report"]["doors_knocked"] == 30  # the first one stands
    # the same report sent from a flaky network five times at once
    burst = {**body, "client_id": str(uuid.uuid4())}
    answers = await asyncio.gather(*(client.post(url, headers=h, json=burst) for _ in range(5)))
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 200, 201]
    assert len({a.json()["report"]["id"] for a in answers}) == 1
    assert len(await stored(pool, ada["id"])) == 2


@pytest.mark.parametrize(
    "body, reason",
    [
        ({"doors_knocked": 10, "doors_opened": 11, "contacts": 0}, "cannot exceed doors_knocked"),
        ({"doors_knocked": -1, "doors_opened": 0, "contacts": 0}, "doors_knocked"),
        ({"doors_knocked": 5001, "doors_opened": 0, "contacts": 0}, "doors_knocked"),
        ({"doors_knocked": 3, "doors_opened": 1, "contacts": -2}, "contacts"),
        ({"doors_knocked": 3, "doors_opened": 1}, "contacts"),
        ({"doors_knocked": "many", "doors_opened": 1, "contacts": 0}, "doors_knocked"),
        ({"doors_knocked": 3, "doors_opened": 1, "contacts": 0, "tags": ["<script>"]}, "tag '<script>'"),
        # the closed vocabulary: a topic the admin did not define, or a sentence, is refused by name
        ({"doors_knocked": 3, "doors_opened": 1, "contacts": 0, "tags": ["Logement"]}, "tag 'Logement'"),
        (
            {"doors_knocked": 3, "doors_opened": 1, "contacts": 0, "tags": ["logement", "resident at no 12 refused"]},
            "tag 'resident at no 12 refused' is not in this campaign's vocabulary",
        ),
        ({"doors_knocked": 3, "doors_opened": 1, "contacts": 0, "tags": ["x" * 41]}, "tag"),
        ({"doors_knocked": 3, "doors_opened": 1, "contacts": 0, "tags": [f"t{i}" for i in range(21)]}, "tags"),
        # no free text: notes about voters are where special-category data would leak in
        ({"doors_knocked": 3, "doors_opened": 1, "contacts": 0, "note": "M. X votes Y"}, "note"),
        ({"doors_knocked": 3, "doors_opened": 1, "contacts": 0, "station": "99-999"}, "no polling station"),
        ({"doors_knocked": 3, "doors_opened": 1, "contacts": 0, "client_id": "not-a-uuid"}, "client_id"),
    ],
)
async def test_bad_reports_are_refused_with_a_reason(client, pool, paris, body, reason):
    await set_vocabulary(pool, paris["id"])
    ada = await volunteer(pool, paris["slug"])
    r = await client.post(f"/api/campaigns/{paris['slug']}/reports", headers=bearer(ada["token"]), json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert reason in r.json()["detail"]
    assert await stored(pool, ada["id"]) == []


async def test_reports_need_a_member(client, pool, paris, campaign):
    body = {"doors_knocked": 3, "doors_opened": 1, "contacts": 0}
    assert (await client.post(f"/api/campaigns/{paris['slug']}/reports", json=body)).status_code == 401
    outsider = await add_user(pool, campaign["slug"], "volunteer")
    r = await client.post(f"/api/campaigns/{paris['slug']}/reports", headers=bearer(outsider["token"]), json=body)
    assert r.status_code == 404


async def test_a_report_reaches_hq_live_feed_in_scope(client, pool, paris, hq, live_server):  # noqa: F811
    slug = paris["slug"]
    ada = await volunteer(pool, slug)
    (st,) = await stations(pool, paris["id"], 1)
    async with pool.acquire() as c:
        other = await c.fetchval(
            "SELECT code FROM areas WHERE campaign_id = $1 AND level = 'district' AND code <> $2 LIMIT 1",
            paris["id"],
            st["district"],
        )
    here, _ = await snapshot(live_server.url, hq["token"], slug, district=st["district"])
    there, _ = await snapshot(live_server.url, hq["token"], slug, district=other)
    async with here, there:
        r = await client.post(
            f"/api/campaigns/{slug}/reports",
            headers=bearer(ada["token"]),
            json={"doors_knocked": 22, "doors_opened": 7, "contacts": 1, "station": st["code"]},
        )
        assert r.status_code == 201

        def reports(frames):
            return [e for f in frames for e in f.get("events", []) if e.get("type") == "report" and e["v"] == ada["id"]]

        frames = await frames_until(here, lambda fs: reports(fs))
        (e,) = reports(frames)
        assert (e["station"], e["knocked"], e["opened"], e["contacts"], e["ds"]) == (
            st["code"],
            22,
            7,
            1,
            st["district"],
        )
        assert e["report"] == r.json()["report"]["id"]
        assert reports(await frames_for(there, 1.0)) == []
