"""Store a row once per (campaign, person, client_id).

A phone's outbox resends a record until it is answered, so the same client_id can arrive
several times. Each domain's `insert.sql` ends in ON CONFLICT DO NOTHING RETURNING id; when it
returns nothing, the row is already there and `by_client_id.sql` finds it.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from server.sql import sql


async def insert_once(
    conn: asyncpg.Connection,
    domain: str,
    campaign_id: int,
    user_id: int,
    client_id: uuid.UUID | None,
    *insert_args: Any,
) -> tuple[int, bool]:
    """(row id, whether it was stored now) for `server/sql/{domain}/insert.sql` and its args."""
    row_id = await conn.fetchval(sql(f"{domain}/insert"), *insert_args)
    if row_id is not None:
        return row_id, True
    return await conn.fetchval(sql(f"{domain}/by_client_id"), campaign_id, user_id, client_id), False
