"""Tour reports, under /api/campaigns/{slug}/reports.

    POST /reports          (any member) my report: doors knocked, opened, contacts, topics
    GET  /reports/mine     (any member) my reports of the window (default: today)
    GET  /reports          (HQ) everyone's, filtered by station or volunteer
    GET  /reports/totals   (HQ) sums for the campaign and per polling station

Reporting does not need location sharing: a volunteer who declined tracking still reports, and
names the station (or their team's assignment is used).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from server.deps import AnyMember, AppSettings, Conn, HQMember, Redis
from server.limits import Id
from server.errors import InvalidInput
from server.timewindow import Since, Until, window
from server.reports import live, queries
from server.tags import queries as tag_queries
from server.reports.schemas import NewReport, ReportCreated, ReportList, StationTotals, Totals

router = APIRouter(prefix="/api/campaigns/{slug}/reports", tags=["reports"])
Limit = Annotated[int, Query(ge=1, le=10_000)]


@router.post(
    "",
    response_model=ReportCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Send my tour report (201), or get the one already sent with this client_id (200)",
    responses={200: {"model": ReportCreated}},
)
async def send_report(
    body: NewReport, member: AnyMember, conn: Conn, redis: Redis, settings: AppSettings, response: Response
) -> ReportCreated:
    body.tags = await tag_queries.checked(conn, member.campaign_id, body.tags)
    given = None
    if body.station is not None:
        given = await queries.station(conn, member.campaign_id, code=body.station.strip())
        if given is None:
            raise InvalidInput(f"no polling station {body.station!r} in this campaign")
    async with conn.transaction():
        shift, team, st, source = await queries.where_and_when(conn, member.campaign_id, member.user.id, given)
        report_id, created = await queries.insert(
            conn, member.campaign_id, member.user.id, shift, team, st["id"] if st else None, source, body
        )
        report = await queries.one(conn, member.campaign_id, report_id)
    if not created:
        response.status_code = status.HTTP_200_OK
        return ReportCreated(report=report, created=False)
    notified = await live.publish_report(
        redis, member.campaign_id, report, st["district_code"] if st else None, settings.redis_prefix
    )
    return ReportCreated(report=report, created=True, live_notified=notified)


@router.get("/mine", response_model=ReportList, summary="My reports of the window (default: today)")
async def my_reports(
    member: AnyMember, conn: Conn, since: Since = None, until: Until = None, limit: Limit = 100
) -> ReportList:
    lo, hi = window(since, until)
    return ReportList(
        since=lo, until=hi, reports=await queries.listing(conn, member.campaign_id, lo, hi, None, member.user.id, limit)
    )


@router.get("", response_model=ReportList, summary="Reports of the window (HQ); default: today")
async def list_reports(
    member: HQMember,
    conn: Conn,
    since: Since = None,
    until: Until = None,
    station: Annotated[str | None, Query(max_length=64, description="only this polling station's (code)")] = None,
    volunteer: Annotated[Id | None, Query(description="only this volunteer's (user id)")] = None,
    limit: Limit = 1000,
) -> ReportList:
    lo, hi = window(since, until)
    return ReportList(
        since=lo, until=hi, reports=await queries.listing(conn, member.campaign_id, lo, hi, station, volunteer, limit)
    )


@router.get("/totals", response_model=Totals, summary="Doors, contacts and reports summed (HQ); default: today")
async def report_totals(member: HQMember, conn: Conn, since: Since = None, until: Until = None) -> Totals:
    lo, hi = window(since, until)
    stations = await queries.totals(conn, member.campaign_id, lo, hi)
    fields = ("reports", "doors_knocked", "doors_opened", "contacts")
    everything = StationTotals(station=None, volunteers=0, **{f: sum(getattr(s, f) for s in stations) for f in fields})
    everything.volunteers = await queries.volunteers_reporting(conn, member.campaign_id, lo, hi)
    return Totals(since=lo, until=hi, all=everything, stations=stations)
