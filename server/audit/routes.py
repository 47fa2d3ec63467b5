"""GET /api/campaigns/{slug}/audit (admin): the campaign's audited reads since a time."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from server.audit import queries
from server.deps import AdminMember, Conn

router = APIRouter(prefix="/api/campaigns/{slug}/audit", tags=["audit"])


@router.get("", summary="Who read personal data, when and with which scope (admin); default: the last 24 h")
async def audit_trail(
    member: AdminMember,
    conn: Conn,
    since: Annotated[dt.datetime | None, Query(description="ISO 8601")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> dict:
    since = since or dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    since = since.replace(tzinfo=dt.UTC) if since.tzinfo is None else since
    return {"since": since, "reads": await queries.listing(conn, member.campaign_id, since, limit)}
