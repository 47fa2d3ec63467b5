"""A volunteer's own data, under /api/campaigns/{slug}/privacy.

GET  /privacy/me       (any member) everything held about me, as one JSON document (art. 15, 20)
POST /privacy/erase    (admin) erase a volunteer ({"login"}) or a contact ({"contact"}) (art. 17)
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from server.audit import queries as audit
from server.deps import AdminMember, AnyMember, AppSettings, Conn, Redis
from server.privacy import queries

router = APIRouter(prefix="/api/campaigns/{slug}/privacy", tags=["privacy"])


class EraseRequest(BaseModel):
    login: str | None = Field(default=None, max_length=64)
    contact: int | None = None
    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _one(self) -> EraseRequest:
        if (self.login is None) == (self.contact is None):
            raise ValueError("give exactly one of login and contact")
        return self


@router.get("/me", summary="Everything held about me in this campaign (JSON)")
async def my_data(member: AnyMember, conn: Conn, redis: Redis, settings: AppSettings) -> dict:
    # Pings are inline up to INLINE_PINGS here; a longer history is counted (ask HQ for the file).
    doc = await queries.export_volunteer(conn, redis, member.campaign_id, member.user.id, None, settings.redis_prefix)
    await audit.record(conn, member, "privacy_export", {"login": member.user.login})
    return doc


@router.post("/erase", summary="Erase a volunteer or a contact (admin); what was removed, table by table")
async def erase(body: EraseRequest, member: AdminMember, conn: Conn, redis: Redis, settings: AppSettings) -> dict:
    if body.contact is not None:
        return {"contact": body.contact, "removed": await queries.erase_contact(conn, member.campaign_id, body.contact)}
    assert body.login is not None  # the model checks that exactly one of login and contact is given
    uid = await queries.volunteer_id(conn, member.campaign_id, body.login)
    return {
        "login": body.login,
        "removed": await queries.erase_volunteer(
            conn, redis, member.campaign_id, uid, settings.shift_max_hours, settings.redis_prefix
        ),
    }
