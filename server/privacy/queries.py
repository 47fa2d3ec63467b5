"""Export and erase one person: a volunteer (by login) or a contact (by id), in one campaign.

`VOLUNTEER_TABLES` names every table that holds rows about a volunteer; a test checks it against
the schema (every column that refers to a user), so a new table cannot be forgotten silently.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import asyncpg
import orjson
import redis.asyncio as aioredis

from server import events
from server.errors import NotFound
from server.events import DEFAULT_PREFIX, volunteer_state_key
from server.shifts import service as shift_service
from server.sql import sql

# Section of the export -> the table it reads (each query takes the user id and the campaign id).
VOLUNTEER_TABLES = {
    "team_members": "team_members",
    "location_consents": "location_consents",
    "shifts": "shifts",
    "tour_reports": "tour_reports",
    "door_outcomes": "door_outcomes",
    "contacts_added": "contacts",
    "invites": "invites",
    "audit_log": "audit_log",
}
INLINE_PINGS = 10_000  # more pings than this go to a file next to the document


async def volunteer_id(conn: asyncpg.Connection, campaign_id: int, login: str) -> int:
    row = await conn.fetchrow(sql("privacy/user_of_campaign"), login, campaign_id)
    if row is None:
        raise NotFound(f"no member {login!r} in this campaign")
    return row["id"]


def _rows(rows: list[asyncpg.Record]) -> list[dict[str, Any]]:
    return [{k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in r.items()} for r in rows]


async def export_volunteer(
    conn: asyncpg.Connection,
    redis: aioredis.Redis,
    campaign_id: int,
    user_id: int,
    pings_dir: Path | None,
    prefix: str = DEFAULT_PREFIX,
) -> dict[str, Any]:
    """Everything held about the volunteer in the campaign. Pings are inline up to INLINE_PINGS;
    beyond, they are written as gzipped JSON lines under `pings_dir` (or only counted without one)."""
    doc: dict[str, Any] = {
        "kind": "volunteer",
        "account": dict(await conn.fetchrow(sql("privacy/account"), user_id)),
        "memberships": _rows(await conn.fetch(sql("privacy/memberships"), user_id)),
        # like memberships, HQ sessions are the account's, not one campaign's
        "hq_sessions": _rows(await conn.fetch(sql("privacy/hq_sessions"), user_id)),
    }
    for section in VOLUNTEER_TABLES:
        name = "contacts" if section == "contacts_added" else section
        doc[section] = _rows(await conn.fetch(sql(f"privacy/{name}"), user_id, campaign_id))
    count = await conn.fetchval(sql("privacy/pings_count"), user_id, campaign_id)
    doc["pings"] = {"count": count}
    if count <= INLINE_PINGS:
        doc["pings"]["rows"] = _rows(await conn.fetch(sql("privacy/pings"), user_id, campaign_id))
    elif pings_dir is not None:
        path = pings_dir / f"pings-{doc['account']['login']}-c{campaign_id}.jsonl.gz"
        with gzip.open(path, "wb") as out:
            async with conn.transaction():
                async for r in conn.cursor(sql("privacy/pings"), user_id, campaign_id):
                    out.write(orjson.dumps(dict(r)) + b"\n")
        doc["pings"]["file"] = str(path.resolve())
    live = await redis.hget(volunteer_state_key(campaign_id, prefix), str(user_id))
    doc["live_state"] = orjson.loads(live) if live else None
    doc["tables"] = {
        "users": 1,
        "memberships": len(doc["memberships"]),
        "hq_sessions": len(doc["hq_sessions"]),
        "pings": count,
        **{table: len(doc[section]) for section, table in VOLUNTEER_TABLES.items()},
        "redis:vstate": int(live is not None),
    }
    return doc


async def export_contact(conn: asyncpg.Connection, campaign_id: int, contact_id: int) -> dict[str, Any]:
    row = await conn.fetchrow(sql("privacy/contact"), contact_id, campaign_id)
    if row is None:
        raise NotFound(f"no contact {contact_id} in this campaign")
    return {"kind": "contact", "contact": _rows([row])[0], "tables": {"contacts": 1}}


async def erase_volunteer(
    conn: asyncpg.Connection,
    redis: aioredis.Redis,
    campaign_id: int,
    user_id: int,
    max_hours: float,
    prefix: str = DEFAULT_PREFIX,
) -> dict[str, int]:
    """Remove the volunteer from the campaign: pings (folded into per-cell, per-day counts first),
    shifts, reports, door outcomes, consents, teams, membership, live state; contacts they added
    and invites stay, detached; their audited reads stay, by no one. The account, its token and its
    HQ sessions go when no other campaign holds it. Returns what was removed, table by table, and
    whether the ingest processes were told (`ingest_notified`, 1 or 0).

    Like `quadriller users revoke` (server/auth/revocation.py), it takes effect on every server at
    once: the open shift ends first through the duty channel (no ingest takes another ping of
    theirs while the rows go), and after the commit the access channel tells every ingest process
    to forget the cached login and close the person's sockets, rather than honour the erased token
    until its login cache expires."""
    state_key = volunteer_state_key(campaign_id, prefix)
    live_states = await redis.hdel(state_key, str(user_id))  # counted here: ending the shift drops it too
    await shift_service.end_open(conn, redis, campaign_id, user_id, "revoked", max_hours, prefix)
    async with conn.transaction():
        removed = {"pings": await conn.fetchval(sql("pings/fold_and_delete"), campaign_id, user_id, None)}
        removed.update(dict(await conn.fetchrow(sql("privacy/erase_rows"), user_id, campaign_id)))
        await conn.execute("SET LOCAL quadriller.audit_maintenance = 'on'")
        removed["audit_log_blanked"] = await conn.fetchval(sql("privacy/erase_audit"), user_id, campaign_id)
        removed["hq_sessions"] = await conn.fetchval(sql("privacy/erase_sessions"), user_id)
        removed["users"] = await conn.fetchval(sql("privacy/erase_account"), user_id)
    # Again after the commit: a ping already in an ingest's pipeline may have written it meanwhile.
    removed["redis:vstate"] = min(1, live_states + await redis.hdel(state_key, str(user_id)))
    # HQ's feeds serve snapshots from memory: without a shift to end, tell them the position went.
    await events.publish_best_effort(
        redis, events.live_channel(campaign_id, prefix), events.removed_event([user_id]), "live state erased"
    )
    notified = await events.publish_best_effort(
        redis, events.access_channel(campaign_id, prefix), events.access_revoked_event(user_id), "access erased"
    )
    removed["ingest_notified"] = int(notified)
    return removed


async def erase_contact(conn: asyncpg.Connection, campaign_id: int, contact_id: int) -> dict[str, int]:
    gone = await conn.fetchval(sql("privacy/erase_contact"), contact_id, campaign_id)
    if not gone:
        raise NotFound(f"no contact {contact_id} in this campaign")
    return {"contacts": gone}
