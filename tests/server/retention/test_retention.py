"""The retention job deletes what is past its date in every table that holds personal data, and
nothing else: not the newer rows, not another campaign's with longer settings."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid

import orjson
import redis.asyncio as aioredis

from server.cli import main as cli_main
from server.consent.texts import current_version
from server.redis import volunteer_state_key
from server.retention.policy import cutoffs, stale_live_states
from tests.conftest import add_user
from tests.helpers.doors import station_doors
from tests.helpers.canvass import canvass

NOW = dt.datetime.now(dt.timezone.utc)
OLD, RECENT = NOW - dt.timedelta(days=3), NOW - dt.timedelta(hours=2)
ANCIENT = NOW - dt.timedelta(days=4 * 365)  # past the contacts' 3 years and the audit's year


def test_a_campaign_can_only_shorten_the_servers_location_retention():
    assert cutoffs(NOW, 30, 2, 1095, 365).location == NOW - dt.timedelta(days=2)
    longer = cutoffs(NOW, 30, 90, 1095, 365)
    assert longer.location == NOW - dt.timedelta(days=30) and not longer.location_shorter
    assert cutoffs(NOW, 30, None, 1095, 365).contacts == NOW - dt.timedelta(days=1095)
    states = {b"1": b'{"rt": 0}', b"2": orjson.dumps({"rt": time.time() * 1000}), b"3": b"{}"}
    assert sorted(stale_live_states(states, time.time() * 1000, 3600, lambda r: orjson.loads(r).get("rt"))) == [
        b"1",
        b"3",
    ]


async def fill(pool, campaign_id: int, slug: str, code: str, address: int) -> int:
    """One old and one recent row in every table that holds personal data; returns the volunteer."""
    vol = await add_user(pool, slug, "volunteer", "Old")
    async with pool.acquire() as c:
        uid = await c.fetchval("SELECT id FROM users WHERE login = $1", vol["login"])
        for started in (OLD, RECENT):
            await c.execute(
                "INSERT INTO shifts (campaign_id, user_id, started_at, ended_at, ended_by) VALUES "
                "($1, $2, $3::timestamptz, $3::timestamptz + interval '1 hour', 'volunteer')",
                campaign_id,
                uid,
                started,
            )
            await c.execute(
                "INSERT INTO tour_reports (campaign_id, user_id, doors_knocked, doors_opened, contacts, "
                "created_at) VALUES ($1, $2, 3, 1, 0, $3)",
                campaign_id,
                uid,
                started,
            )
            await c.execute(
                "INSERT INTO door_outcomes (campaign_id, address_id, user_id, outcome, client_id, "
                "visited_at) VALUES ($1, $2, $3, 'opened', $4, $5)",
                campaign_id,
                address,
                uid,
                uuid.uuid4(),
                started,
            )
            await c.execute(
                "INSERT INTO location_consents (campaign_id, user_id, version, agreed_at, withdrawn_at) "
                "VALUES ($1, $2, $3, $4, $4)",
                campaign_id,
                uid,
                current_version("location"),
                started,
            )
            await c.execute(
                "INSERT INTO invites (campaign_id, role, secret_hash, created_at, expires_at) "
                "VALUES ($1, 'volunteer', $2, $3, $3)",
                campaign_id,
                uuid.uuid4().bytes,
                started,
            )
        for last in (ANCIENT, RECENT):
            await c.execute(
                "INSERT INTO contacts (campaign_id, added_by, name, email, consent_version, consent_lang, "
                "consented_at, created_at, last_contact_at) VALUES ($1, $2, 'X', 'x@example.org', $3, "
                "'fr', $4, $4, $4)",
                campaign_id,
                uid,
                current_version("contact"),
                last,
            )
            await c.execute(
                "INSERT INTO audit_log (campaign_id, user_id, action, at) VALUES ($1, $2, 'replay', $3)",
                campaign_id,
                uid,
                last,
            )
    for at in (OLD, RECENT):
        await canvass(pool, campaign_id, code, [uid], at)
    return uid


COUNTS = {
    "shifts": "SELECT count(*) FROM shifts WHERE campaign_id = $1",
    "tour_reports": "SELECT count(*) FROM tour_reports WHERE campaign_id = $1",
    "door_outcomes": "SELECT count(*) FROM door_outcomes WHERE campaign_id = $1",
    "location_consents": "SELECT count(*) FROM location_consents WHERE campaign_id = $1",
    "invites": "SELECT count(*) FROM invites WHERE campaign_id = $1",
    "contacts": "SELECT count(*) FROM contacts WHERE campaign_id = $1",
    "audit_log": "SELECT count(*) FROM audit_log WHERE campaign_id = $1",
    "pings": "SELECT count(*) FROM pings WHERE campaign_id = $1",
    "ping_cell_days": "SELECT coalesce(sum(pings), 0) FROM ping_cell_days WHERE campaign_id = $1 AND res = 11",
}


async def counts(pool, campaign_id: int) -> dict[str, int]:
    async with pool.acquire() as c:
        return {k: await c.fetchval(q, campaign_id) for k, q in COUNTS.items()}


async def test_retention_deletes_what_is_past_its_date_and_nothing_else(pool, paris, redis_url, capsys):
    from server.campaigns.queries import create_campaign

    (st,) = await station_doors(pool, paris["id"])
    made = []
    for days in (1, None):  # a campaign keeping locations 1 day, and one with the server's 30
        async with pool.acquire() as c:
            slug = "ret-" + uuid.uuid4().hex[:8]
            cid = (await create_campaign(c, slug, "Retention"))["id"]
            await c.execute("UPDATE campaigns SET location_retention_days = $2 WHERE id = $1", cid, days)
            # the same Paris station and door in this campaign (areas and addresses are per campaign)
            area = await c.fetchval(
                "INSERT INTO areas (campaign_id, level, code, geom, geom_display) SELECT $1, "
                "level, code, geom, geom_display FROM areas WHERE campaign_id = $2 AND "
                "level = 'polling_station' AND code = $3 RETURNING id",
                cid,
                paris["id"],
                st["code"],
            )
            address = await c.fetchval(
                "INSERT INTO addresses (campaign_id, ext_id, number, street, geom, "
                "polling_station_id) SELECT $1, ext_id, number, street, geom, $2 FROM "
                "addresses WHERE id = $3 RETURNING id",
                cid,
                area,
                st["doors"][0],
            )
        uid = await fill(pool, cid, slug, st["code"], address)
        made.append((slug, cid, uid))
    redis = aioredis.from_url(redis_url)
    (short_slug, short, short_uid), (long_slug, long_, _) = made
    await redis.hset(
        volunteer_state_key(short),
        mapping={
            str(short_uid): orjson.dumps({"v": short_uid, "rt": (time.time() - 13 * 3600) * 1000}),
            "999999": orjson.dumps({"v": 999999, "rt": time.time() * 1000}),
        },
    )
    before_short, before_long = await counts(pool, short), await counts(pool, long_)

    code = await asyncio.to_thread(cli_main, ["retention", "run"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    done = out["campaigns"][short_slug]
    assert done == {
        "shifts": 1,
        "tour_reports": 1,
        "door_outcomes": 1,
        "location_consents": 1,
        "invites": 1,
        "contacts": 1,
        "audit_log": 1,
        "pings": 1,
        "redis:vstate": 1,
    }
    after = await counts(pool, short)
    assert after == {
        **{k: v - 1 for k, v in before_short.items() if k not in ("ping_cell_days",)},
        "ping_cell_days": before_short["ping_cell_days"] + 1,
    }  # the old ping, folded into counts
    # the other campaign keeps 3-day-old locations (30 days here) but not 4-year-old contacts or audit rows
    assert out["campaigns"][long_slug] == {
        "shifts": 0,
        "tour_reports": 0,
        "door_outcomes": 0,
        "location_consents": 0,
        "invites": 0,
        "contacts": 1,
        "audit_log": 1,
        "pings": 0,
        "redis:vstate": 0,
    }
    assert await counts(pool, long_) == {
        **before_long,
        "contacts": before_long["contacts"] - 1,
        "audit_log": before_long["audit_log"] - 1,
    }
    assert await redis.hkeys(volunteer_state_key(short)) == [b"999999"]
    assert 0 < await redis.ttl(volunteer_state_key(short)) <= 12 * 3600
    await redis.aclose()
    code = await asyncio.to_thread(cli_main, ["retention", "run"])  # a second run finds nothing more
    again = json.loads(capsys.readouterr().out)["campaigns"]
    assert set(again[short_slug].values()) == {0} and set(again[long_slug].values()) == {0}
