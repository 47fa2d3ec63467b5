"""Door outcomes, under /api/campaigns/{slug}/doors.

    POST /doors/outcomes        (any member) one door's outcome; the phone's outbox resends it
                                 with the same client_id until answered, and it is stored once
    GET  /doors/outcomes/mine   (any member) my outcomes of the window (default: today)
    GET  /doors/tally/mine      (any member) my doors knocked, opened and contacts: the counts my
                                 tour report starts from
    GET  /doors/outcomes        (HQ) everyone's, by station or volunteer
    GET  /doors/coverage        (HQ) per polling station: doors, knocked, opened, refused, contacts

An outcome says what happened at an address, never who lives there or what they think.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from server.deps import AnyMember, AppSettings, Conn, HQMember, Redis
from server.doors import live, queries
from server.doors.plan import tally
from server.doors.schemas import Coverage, NewOutcome, OutcomeCreated, OutcomeList, Tally
from server.errors import InvalidInput, NotFound
from server.pings import queries as ping_queries
from server.shifts import queries as shift_queries
from server.timewindow import Since, Until, window

router = APIRouter(prefix="/api/campaigns/{slug}/doors", tags=["doors"])
Limit = Annotated[int, Query(ge=1, le=10_000)]
FUTURE_SLACK = dt.timedelta(minutes=5)  # a phone's clock may run a little ahead
OUTBOX_MAX_AGE = dt.timedelta(days=7)  # an outbox older than this is a broken phone, not a tour


@router.post(
    "/outcomes",
    response_model=OutcomeCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Record a door's outcome (201), or get the one already sent with this client_id (200)",
    responses={200: {"model": OutcomeCreated}},
)
async def record_outcome(
    body: NewOutcome, member: AnyMember, conn: Conn, redis: Redis, settings: AppSettings, response: Response
) -> OutcomeCreated:
    now = dt.datetime.now(dt.UTC)
    visited = body.at or now
    visited = visited.replace(tzinfo=dt.UTC) if visited.tzinfo is None else visited
    if visited > now + FUTURE_SLACK or visited < now - OUTBOX_MAX_AGE:
        raise InvalidInput(f"at: {visited.isoformat()} is not within the last 7 days")
    door = await queries.door(conn, member.campaign_id, body.address)
    if door is None:
        raise NotFound(f"no address {body.address} in this campaign")
    team, _ = await ping_queries.volunteer_assignment(conn, member.campaign_id, member.user.id)
    shift = await shift_queries.open_of_user(conn, member.campaign_id, member.user.id, settings.shift_max_hours)
    outcome_id, created = await queries.insert(
        conn, member.campaign_id, member.user.id, door, team, shift.id if shift else None, body, visited
    )
    outcome = await queries.one(conn, member.campaign_id, outcome_id)
    if not created:
        response.status_code = status.HTTP_200_OK
        return OutcomeCreated(outcome=outcome, created=False)
    notified = await live.publish_outcome(
        redis, member.campaign_id, outcome, door["district_code"], settings.redis_prefix
    )
    # the last door of a team's turf: HQ's feed says so (and dispatch treats the team as free)
    finished = await queries.finished_turfs(conn, member.campaign_id, body.address, outcome_id)
    await live.publish_turf_finished(
        redis, member.campaign_id, outcome, door["district_code"], finished, settings.redis_prefix
    )
    return OutcomeCreated(outcome=outcome, created=True, live_notified=notified)


@router.get("/outcomes/mine", response_model=OutcomeList, summary="My door outcomes of the window (default: today)")
async def my_outcomes(
    member: AnyMember, conn: Conn, since: Since = None, until: Until = None, limit: Limit = 1000
) -> OutcomeList:
    lo, hi = window(since, until)
    return OutcomeList(
        since=lo,
        until=hi,
        outcomes=await queries.listing(conn, member.campaign_id, lo, hi, None, member.user.id, limit),
    )


@router.get("/tally/mine", response_model=Tally, summary="My doors knocked, opened and contacts (default: today)")
async def my_tally(member: AnyMember, conn: Conn, since: Since = None, until: Until = None) -> Tally:
    lo, hi = window(since, until)
    return Tally(**tally(await queries.outcomes_of_user(conn, member.campaign_id, member.user.id, lo, hi)))


@router.get("/outcomes", response_model=OutcomeList, summary="Door outcomes of the window (HQ); default: today")
async def list_outcomes(
    member: HQMember,
    conn: Conn,
    since: Since = None,
    until: Until = None,
    station: Annotated[str | None, Query(max_length=64, description="only this polling station's (code)")] = None,
    volunteer: Annotated[int | None, Query(description="only this volunteer's (user id)")] = None,
    limit: Limit = 1000,
) -> OutcomeList:
    lo, hi = window(since, until)
    return OutcomeList(
        since=lo, until=hi, outcomes=await queries.listing(conn, member.campaign_id, lo, hi, station, volunteer, limit)
    )


@router.get("/coverage", response_model=Coverage, summary="Doors knocked and opened per polling station (HQ)")
async def door_coverage(member: HQMember, conn: Conn, since: Since = None, until: Until = None) -> Coverage:
    lo, hi = window(since, until)
    return Coverage(since=lo, until=hi, stations=await queries.coverage(conn, member.campaign_id, lo, hi))
