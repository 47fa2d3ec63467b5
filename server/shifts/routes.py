"""Shifts over HTTP, under /api/campaigns/{slug}/shifts.

A shift starts only after the volunteer agreed to the current location-sharing text
(server/consent): otherwise 409 `consent_required` (checked by server/shifts/service.start, on
every path).

A volunteer starts and ends their own shift (the phone page, or any client of OwnTracks or
Traccar users, who cannot send it from those apps); the websocket protocol has the same as
frames (docs/protocol.md). HQ (admin, coordinator) lists shifts and may end anyone's: a
volunteer who left their phone tracking. A volunteer asking for someone else's shift gets 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from server.limits import Id
from server.deps import AnyMember, AppSettings, Conn, HQMember, Redis
from server.errors import NotFound
from server.timewindow import Since, Until, window
from server.shifts import queries, service
from server.shifts.schemas import CurrentShift, OnShift, ShiftChange, ShiftList

router = APIRouter(prefix="/api/campaigns/{slug}/shifts", tags=["shifts"])
HQ_ROLES = ("admin", "coordinator")


@router.post(
    "/start",
    response_model=ShiftChange,
    summary="Start my shift (201), or get the one already open (200)",
    responses={201: {"model": ShiftChange}},
)
async def start_shift(
    member: AnyMember, conn: Conn, redis: Redis, settings: AppSettings, response: Response
) -> ShiftChange:
    shift, created, notified = await service.start(
        conn, redis, member.campaign_id, member.user.id, settings.shift_max_hours, prefix=settings.redis_prefix
    )
    if created:
        response.status_code = status.HTTP_201_CREATED
    return ShiftChange(shift=shift, created=created, live_notified=notified)


@router.post("/end", response_model=ShiftChange, summary="End my open shift")
async def end_my_shift(member: AnyMember, conn: Conn, redis: Redis, settings: AppSettings) -> ShiftChange:
    current = await queries.open_of_user(conn, member.campaign_id, member.user.id, settings.shift_max_hours)
    if current is None:
        raise NotFound("you have no open shift in this campaign", code="no_open_shift")
    return await _end(conn, redis, settings, member.campaign_id, current.id, "volunteer")


@router.get("/current", response_model=CurrentShift, summary="My open shift, if any")
async def my_shift(member: AnyMember, conn: Conn, settings: AppSettings) -> CurrentShift:
    return CurrentShift(
        shift=await queries.open_of_user(conn, member.campaign_id, member.user.id, settings.shift_max_hours)
    )


@router.get("/open", response_model=list[OnShift], summary="Everyone on shift now (HQ)")
async def on_shift(member: HQMember, conn: Conn, settings: AppSettings) -> list[OnShift]:
    return await queries.on_shift(conn, member.campaign_id, settings.shift_max_hours)


@router.get("", response_model=ShiftList, summary="Shifts overlapping a window (HQ); default: today")
async def list_shifts(
    member: HQMember,
    conn: Conn,
    settings: AppSettings,
    since: Since = None,
    until: Until = None,
    volunteer: Annotated[Id | None, Query(description="only this volunteer's (user id)")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> ShiftList:
    lo, hi = window(since, until)
    return ShiftList(
        shifts=await queries.listing(conn, member.campaign_id, lo, hi, volunteer, limit, settings.shift_max_hours)
    )


@router.post("/{shift_id}/end", response_model=ShiftChange, summary="End a shift: HQ any, a volunteer only their own")
async def end_shift(shift_id: Id, member: AnyMember, conn: Conn, redis: Redis, settings: AppSettings) -> ShiftChange:
    shift = await queries.by_id(conn, member.campaign_id, shift_id)
    hq = member.role in HQ_ROLES
    if shift is None or (not hq and shift.volunteer != member.user.id):
        raise NotFound(f"no shift {shift_id} in this campaign")
    if shift.ended_at is not None:
        return ShiftChange(shift=shift, created=False, live_notified=True)  # ending twice is no error
    by = "volunteer" if shift.volunteer == member.user.id else "hq"
    return await _end(conn, redis, settings, member.campaign_id, shift_id, by)


async def _end(conn, redis, settings, campaign_id: int, shift_id: int, by: str) -> ShiftChange:
    ended, notified = await service.end(
        conn, redis, campaign_id, shift_id, by, settings.shift_max_hours, settings.redis_prefix
    )
    if ended is None:  # ended concurrently: answer with how it ended
        ended = await queries.by_id(conn, campaign_id, shift_id)
        if ended is None:
            raise NotFound(f"no shift {shift_id} in this campaign")
    return ShiftChange(shift=ended, live_notified=notified)
