"""Each person's rights on a volunteer who did everything: export lists every table that holds
them; after erase no row in any table and no Redis key refers to them, their token gets 401, and
the per-cell ping counts are unchanged. A contact is exported and erased alone."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid

import orjson
import redis.asyncio as aioredis

from server.cli import main as cli_main
from server.consent.texts import current_version
from server.redis import volunteer_state_key
from tests.conftest import add_user, agree_to_location, bearer, set_vocabulary, start_shift
from tests.helpers.doors import station_doors
from tests.helpers.canvass import canvass

# Every column that refers to a user: a new one must be handled by export and erase.
PERSON_COLUMNS = ("user_id", "volunteer_id", "added_by", "created_by", "used_by")


async def person_columns(pool) -> list[tuple[str, str]]:
    async with pool.acquire() as c:
        rows = await c.fetch(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.column_name = ANY($1) "
            "AND c.table_name !~ '^pings_p[0-9]{8}$'",
            list(PERSON_COLUMNS),
        )
    return [(r["table_name"], r["column_name"]) for r in rows] + [("users", "id")]


async def rows_referring_to(pool, uid: int) -> dict[str, int]:
    out = {}
    async with pool.acquire() as c:
        for table, column in await person_columns(pool):
            n = await c.fetchval(f'SELECT count(*) FROM "{table}" WHERE "{column}" = $1', uid)
            if n:
                out[f"{table}.{column}"] = n
    return out


async def cell_counts(pool, campaign_id: int, cells: list[int]) -> dict[tuple, int]:
    async with pool.acquire() as c:
        rows = await c.fetch(
            "SELECT day, cell, sum(n) AS n FROM ("
            " SELECT (ts AT TIME ZONE 'UTC')::date AS day, cell, count(*) AS n FROM pings"
            " WHERE campaign_id = $1 AND cell = ANY($2) GROUP BY 1, 2"
            " UNION ALL SELECT day, cell, pings FROM ping_cell_days"
            " WHERE campaign_id = $1 AND res = 11 AND cell = ANY($2)) x GROUP BY 1, 2",
            campaign_id,
            cells,
        )
    return {(r["day"], r["cell"]): r["n"] for r in rows}


def cli(capsys, *argv) -> tuple[int, dict | str]:
    code = cli_main(list(argv))
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 else out.err)


async def test_export_then_erase_a_volunteer_who_did_everything(client, pool, paris, redis_url, capsys, tmp_path):
    slug, cid = paris["slug"], paris["id"]
    await set_vocabulary(pool, cid)
    ada, hq = await add_user(pool, slug, "volunteer", "Ada"), await add_user(pool, slug, "coordinator", "HQ")
    h = bearer(ada["token"])
    async with pool.acquire() as c:
        uid = await c.fetchval("SELECT id FROM users WHERE login = $1", ada["login"])
        team = await c.fetchval(
            "INSERT INTO teams (campaign_id, name) VALUES ($1, $2) RETURNING id", cid, "privacy-" + uuid.uuid4().hex[:6]
        )
        await c.execute("INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)", team, uid)
    await agree_to_location(pool, slug, ada["login"])
    await start_shift(pool, cid, uid)
    (st,) = await station_doors(pool, cid)
    now = dt.datetime.now(dt.timezone.utc)
    for ms in (5, 10, 15):
        await canvass(pool, cid, st["code"], [uid], now + dt.timedelta(milliseconds=ms))
    assert (
        await client.post(
            f"/api/campaigns/{slug}/doors/outcomes",
            headers=h,
            json={"address": st["doors"][0], "outcome": "contact", "client_id": str(uuid.uuid4())},
        )
    ).status_code == 201
    assert (
        await client.post(
            f"/api/campaigns/{slug}/reports",
            headers=h,
            json={"doors_knocked": 1, "doors_opened": 1, "contacts": 1, "tags": ["logement"]},
        )
    ).status_code == 201
    r = await client.post(
        f"/api/campaigns/{slug}/contacts",
        headers=h,
        json={
            "name": "Zoé",
            "email": "zoe@example.org",
            "topics": ["sante"],
            "support": 3,
            "consent": {"version": current_version("contact"), "lang": "fr", "agreed": True},
        },
    )
    contact_id = r.json()["contact"]["id"]
    assert (await client.get(f"/api/campaigns/{slug}/contacts", headers=h)).status_code == 200  # audited read
    redis = aioredis.from_url(redis_url)
    await redis.hset(volunteer_state_key(cid), str(uid), orjson.dumps({"v": uid, "lon": 2.3, "lat": 48.8}))
    assert (await client.post("/api/sessions", headers=h)).status_code == 201  # an HQ session of theirs

    held = await rows_referring_to(pool, uid)
    code, doc = await asyncio.to_thread(
        cli, capsys, "privacy", "export", "--campaign", slug, "--login", ada["login"], "--pings-dir", str(tmp_path)
    )
    assert code == 0, doc
    assert doc["account"]["login"] == ada["login"] and "token_hash" not in doc["account"]
    for ref in held:  # every table that holds the person is in the export, with its rows
        assert doc["tables"].get(ref.split(".")[0], 0) >= 1, (ref, doc["tables"])
    assert doc["pings"]["count"] == 3 == len(doc["pings"]["rows"])
    assert doc["door_outcomes"][0]["outcome"] == "contact" and doc["tour_reports"][0]["tags"] == ["logement"]
    assert doc["contacts_added"] == [{"id": contact_id, "created_at": doc["contacts_added"][0]["created_at"]}]
    assert doc["live_state"]["v"] == uid and doc["location_consents"][0]["version"] == current_version("location")
    assert len(doc["hq_sessions"]) == 1 and "token_hash" not in doc["hq_sessions"][0]
    mine = (await client.get(f"/api/campaigns/{slug}/privacy/me", headers=h)).json()
    assert mine["tables"] == doc["tables"]  # the phone's download is the same document

    async with pool.acquire() as c:
        cells = [r["cell"] for r in await c.fetch("SELECT DISTINCT cell FROM pings WHERE volunteer_id = $1", uid)]
    before = await cell_counts(pool, cid, cells)
    code, out = await asyncio.to_thread(cli, capsys, "privacy", "erase", "--campaign", slug, "--login", ada["login"])
    assert code == 0, out
    removed = out["removed"]
    assert (
        removed["pings"],
        removed["shifts"],
        removed["door_outcomes"],
        removed["tour_reports"],
        removed["location_consents"],
        removed["team_members"],
        removed["memberships"],
        removed["users"],
        removed["redis:vstate"],
        removed["contacts_detached"],
        removed["hq_sessions"],
    ) == (3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)
    assert removed["audit_log_blanked"] >= 2  # their contact read and their own export
    assert await rows_referring_to(pool, uid) == {}
    assert not await redis.hexists(volunteer_state_key(cid), str(uid))
    assert [k async for k in redis.scan_iter(match=f"*{uid}*")] == []
    await redis.aclose()
    assert await cell_counts(pool, cid, cells) == before  # coverage counts stay, identifying no one
    assert (await client.get("/api/me", headers=h)).status_code == 401
    assert (
        await client.get(f"/api/campaigns/{slug}/contacts", params={"station": None}, headers=bearer(hq["token"]))
    ).status_code == 200
    async with pool.acquire() as c:  # the contact they added is the contact's data: kept, unattributed
        assert await c.fetchval("SELECT added_by FROM contacts WHERE id = $1", contact_id) is None
    code, err = await asyncio.to_thread(cli, capsys, "privacy", "erase", "--campaign", slug, "--login", ada["login"])
    assert code == 2 and f"no member {ada['login']!r}" in err


async def test_export_and_erase_a_contact(client, pool, paris, redis_url, capsys):
    slug = paris["slug"]
    ada = await add_user(pool, slug, "volunteer", "Ada")
    r = await client.post(
        f"/api/campaigns/{slug}/contacts",
        headers=bearer(ada["token"]),
        json={
            "name": "Yves",
            "phone": "+33 6 00 00 00 00",
            "consent": {"version": current_version("contact"), "lang": "en", "agreed": True},
        },
    )
    contact_id = r.json()["contact"]["id"]
    code, doc = await asyncio.to_thread(
        cli, capsys, "privacy", "export", "--campaign", slug, "--contact", str(contact_id)
    )
    assert code == 0 and doc["contact"]["name"] == "Yves" and doc["contact"]["consent_lang"] == "en"
    code, out = await asyncio.to_thread(
        cli, capsys, "privacy", "erase", "--campaign", slug, "--contact", str(contact_id)
    )
    assert code == 0 and out["removed"] == {"contacts": 1}
    async with pool.acquire() as c:
        assert await c.fetchval("SELECT count(*) FROM contacts WHERE id = $1", contact_id) == 0
    code, err = await asyncio.to_thread(
        cli, capsys, "privacy", "export", "--campaign", slug, "--contact", str(contact_id)
    )
    assert code == 2 and err.count("\n") == 1 and f"no contact {contact_id}" in err
