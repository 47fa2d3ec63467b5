"""Contact rows: store (idempotent by client_id) and list."""

from __future__ import annotations

import datetime as dt

import asyncpg

from server.contacts.schemas import Contact, NewContact
from server.idempotent import insert_once
from server.sql import sql

EVER = (dt.datetime.min.replace(tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=dt.UTC))


async def insert(
    conn: asyncpg.Connection, campaign_id: int, user_id: int, area_id: int | None, body: NewContact, topics: list[str]
) -> tuple[int, bool]:
    return await insert_once(
        conn,
        "contacts",
        campaign_id,
        user_id,
        body.client_id,
        campaign_id,
        user_id,
        area_id,
        body.address,
        body.name,
        body.phone,
        body.email,
        topics,
        body.support,
        body.consent.version,
        body.consent.lang,
        body.client_id,
    )


async def listing(
    conn: asyncpg.Connection,
    campaign_id: int,
    since: dt.datetime,
    until: dt.datetime,
    *,
    tag: str | None = None,
    station: str | None = None,
    added_by: int | None = None,
    limit: int = 10_000,
    contact_id: int | None = None,
) -> list[Contact]:
    rows = await conn.fetch(sql("contacts/list"), campaign_id, since, until, tag, station, added_by, limit, contact_id)
    return [Contact(**{**dict(r), "topics": list(r["topics"])}) for r in rows]


async def one(conn: asyncpg.Connection, campaign_id: int, contact_id: int) -> Contact | None:
    found = await listing(conn, campaign_id, *EVER, limit=1, contact_id=contact_id)
    return found[0] if found else None
