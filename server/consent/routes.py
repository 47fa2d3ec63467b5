"""Consent to location sharing, recorded on the server, under /api/campaigns/{slug}.

    GET    /consent    (any member) the current text and version, and whether I agreed to it
    POST   /consent    (any member) {"version": …} agree to that (current) version
    DELETE /consent    (any member) withdraw: my open shift ends and sharing stops
    GET    /consents   (HQ) who agreed to which version, when, and who withdrew

A shift starts only with a standing consent to the current text (POST /shifts/start answers 409
`consent_required` otherwise).
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from server.consent import queries
from server.consent.schemas import Agree, LocationConsent, MemberConsent, Withdrawn
from server.consent.texts import current_version, text
from server.deps import AnyMember, AppSettings, Conn, HQMember, Redis
from server.errors import InvalidInput
from server.shifts import live as shift_live
from server.shifts import queries as shift_queries

router = APIRouter(prefix="/api/campaigns/{slug}", tags=["consent"])


async def _mine(conn, member) -> LocationConsent:
    version = current_version("location")
    row = await queries.standing(conn, member.campaign_id, member.user.id)
    return LocationConsent(
        version=version,
        fr=text("location", version, "fr"),
        en=text("location", version, "en"),
        agreed=row is not None and row["version"] == version,
        agreed_version=row["version"] if row else None,
        agreed_at=row["agreed_at"] if row else None,
    )


@router.get("/consent", response_model=LocationConsent, summary="The location-sharing text, and my consent")
async def my_consent(member: AnyMember, conn: Conn) -> LocationConsent:
    return await _mine(conn, member)


@router.post(
    "/consent",
    response_model=LocationConsent,
    status_code=status.HTTP_201_CREATED,
    summary="Agree to location sharing (201; 200 when already agreed to this version)",
    responses={200: {"model": LocationConsent}},
)
async def agree(body: Agree, member: AnyMember, conn: Conn, response: Response) -> LocationConsent:
    if body.version != current_version("location"):
        raise InvalidInput(
            f"version: {body.version!r} is not the current text ({current_version('location')!r}); "
            "read it again (GET /consent)"
        )
    _, created = await queries.agree(conn, member.campaign_id, member.user.id, body.version)
    if not created:
        response.status_code = status.HTTP_200_OK
    return await _mine(conn, member)


@router.delete("/consent", response_model=Withdrawn, summary="Withdraw: ends my open shift, stops sharing")
async def withdraw(member: AnyMember, conn: Conn, redis: Redis, settings: AppSettings) -> Withdrawn:
    async with conn.transaction():
        row = await queries.withdraw(conn, member.campaign_id, member.user.id)
        shift = await shift_queries.open_of_user(conn, member.campaign_id, member.user.id, settings.shift_max_hours)
        ended = None
        if shift is not None:
            ended = await shift_queries.end(conn, member.campaign_id, shift.id, "consent", settings.shift_max_hours)
    if ended is not None:
        # also drops the volunteer's live position from Redis (server/shifts/live.py)
        await shift_live.publish_ended(redis, member.campaign_id, ended, settings.redis_prefix)
    return Withdrawn(withdrawn=row is not None, ended_shift=ended.id if ended else None)


@router.get("/consents", response_model=list[MemberConsent], summary="Who agreed to which version (HQ)")
async def consents(member: HQMember, conn: Conn) -> list[MemberConsent]:
    version = current_version("location")
    return [
        MemberConsent(
            volunteer=r["user_id"],
            name=r["name"],
            role=r["role"],
            version=r["version"],
            agreed_at=r["agreed_at"],
            withdrawn_at=r["withdrawn_at"],
            current=r["version"] == version and r["withdrawn_at"] is None,
        )
        for r in await queries.of_campaign(conn, member.campaign_id)
    ]
