"""A team's coordinator: set on the team (a coordinator or admin of the campaign, 422 otherwise),
and each alert of the team goes to them as well as HQ's feed: marked with their login, in their
"mine" list, and on their phone page when it is open (ingest's relay), at least for an SOS."""

from __future__ import annotations

import pytest

from tests.conftest import add_user, bearer, start_shift
from tests.helpers.live import next_delta, subscribed
from tests.helpers.schemas import validate
from tests.ingest.conftest import connected, ingest, recv_until, user_id  # noqa: F401 (fixture)

PARIS_11 = (2.3795, 48.8590)


async def test_a_team_members_sos_reaches_its_coordinator_feed_and_phone(client, pool, campaign, ingest, redis_url):
    slug = campaign["slug"]
    lead = await add_user(pool, slug, "coordinator", "Lead")
    other = await add_user(pool, slug, "admin", "Other")
    vol = await add_user(pool, slug, "volunteer", "Walker")
    vid = await user_id(pool, vol["login"])
    hq = bearer(other["token"])
    base = f"/api/campaigns/{slug}/teams"

    # only a coordinator or an admin of this campaign may coordinate a team
    for login in (vol["login"], "nobody-here"):
        bad = await client.post(base, json={"name": "T", "members": [vid], "coordinator": login}, headers=hq)
        assert bad.status_code == 422 and login in bad.json()["detail"]
    assert (await client.get(base, headers=hq)).json() == []  # refused before anything was made
    r = await client.post(base, json={"name": "T", "members": [vid], "coordinator": other["login"]}, headers=hq)
    assert r.status_code == 201 and r.json()["coordinator"] == other["login"]
    team = r.json()["id"]
    r = await client.put(f"{base}/{team}/coordinator", json={"coordinator": lead["login"]}, headers=hq)
    assert r.status_code == 200 and r.json()["coordinator"] == lead["login"]
    bad = await client.put(f"{base}/{team}/coordinator", json={"coordinator": vol["login"]}, headers=hq)
    assert bad.status_code == 422
    assert (await client.put(f"{base}/999999999/coordinator", json={}, headers=hq)).status_code == 404

    await start_shift(pool, campaign["id"], vid)
    press = {"id": "press-coord-0001", "lon": PARIS_11[0], "lat": PARIS_11[1]}
    async with (
        connected(ingest.ws_url, lead["token"], shift=False) as (lead_phone, _),
        connected(ingest.ws_url, other["token"], shift=False) as (other_phone, _),
        subscribed(redis_url, campaign["id"]) as feed,
    ):
        sos = await client.post(f"/api/campaigns/{slug}/sos", json=press, headers=bearer(vol["token"]))
        assert sos.status_code == 201, sos.text
        assert sos.json()["alert"]["coordinator"] == lead["login"]
        # HQ's feed hears it, marked for the coordinator
        event = await next_delta(feed, kind="alert")
        assert event["alert"]["kind"] == "sos" and event["alert"]["coordinator"] == lead["login"]
        assert "coordinator_id" not in event["alert"]
        # the coordinator's phone page hears it at once, with where to go; nobody else's does
        frame = await recv_until(lead_phone, "alert", timeout=3.0)
        assert (frame["kind"], frame["volunteer"], frame["team"]) == ("sos", vid, team)
        assert (frame["lon"], frame["lat"]) == PARIS_11
        validate("alert", frame)
        with pytest.raises(TimeoutError):
            await recv_until(other_phone, "alert", timeout=0.5)

    mine = (await client.get(f"/api/campaigns/{slug}/alerts?mine=true", headers=bearer(lead["token"]))).json()
    assert [(a["kind"], a["coordinator"]) for a in mine] == [("sos", lead["login"])]
    assert (await client.get(f"/api/campaigns/{slug}/alerts?mine=true", headers=hq)).json() == []
    everyone = (await client.get(f"/api/campaigns/{slug}/alerts", headers=hq)).json()
    assert [a["kind"] for a in everyone] == ["sos"]
    acked = await client.post(f"/api/campaigns/{slug}/alerts/{sos.json()['alert']['id']}/ack", headers=hq)
    assert acked.status_code == 200 and acked.json()["coordinator"] == lead["login"]
