"""Alerts:

GET  /api/campaigns/{slug}/alerts                 (HQ) open alerts, or all in a window (?all=true);
                                                   ?mine=true: those of the teams I coordinate
POST /api/campaigns/{slug}/alerts/{id}/ack        (HQ) acknowledge: who and when are kept
GET  /api/campaigns/{slug}/alerts/settings        (HQ) thresholds
PUT  /api/campaigns/{slug}/alerts/settings        (HQ) change them
POST /api/campaigns/{slug}/sos                    (any member) SOS with a position: at once to HQ's
                                                   feed and the team's coordinator (their phone too);
                                                   stays open until a person acknowledges it
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from server.alerts import live, queries
from server.alerts.schemas import Alert, AlertSettings, SosRequest, SosResult
from server.deps import AnyMember, AppSettings, Conn, HQMember, Redis
from server.errors import NotFound
from server.timewindow import Since, Until, window

router = APIRouter(prefix="/api/campaigns/{slug}", tags=["alerts"])


@router.get("/alerts", response_model=list[Alert], summary="Open alerts (and SOS not acknowledged), newest first")
async def list_alerts(
    member: HQMember,
    conn: Conn,
    since: Since = None,
    until: Until = None,
    all_: Annotated[bool, Query(alias="all", description="every alert raised in the window")] = False,
    mine: Annotated[bool, Query(description="only the alerts of the teams I coordinate")] = False,
) -> list[Alert]:
    lo, hi = window(since, until)
    return await queries.listing(conn, member.campaign_id, not all_, lo, hi, member.user.id if mine else None)


@router.post("/alerts/{alert_id}/ack", response_model=Alert, summary="Acknowledge an alert (an SOS is then cleared)")
async def ack(alert_id: int, member: HQMember, conn: Conn, redis: Redis, settings: AppSettings) -> Alert:
    a = await queries.ack(conn, member.campaign_id, alert_id, member.user.id)
    if a is None:
        raise NotFound(f"no alert {alert_id} in this campaign")
    if a.acked_by == member.user.id:  # (acknowledged before by someone else: their id is kept)
        a.acked_by_name = member.user.name
    await live.publish_alert(redis, member.campaign_id, a, "acked", settings.redis_prefix)
    return a


@router.get("/alerts/settings", response_model=AlertSettings, summary="Alert thresholds")
async def get_settings(member: HQMember, conn: Conn) -> AlertSettings:
    return await queries.thresholds(conn, member.campaign_id)


@router.put("/alerts/settings", response_model=AlertSettings, summary="Change the alert thresholds")
async def put_settings(body: AlertSettings, member: HQMember, conn: Conn) -> AlertSettings:
    return await queries.save_thresholds(conn, member.campaign_id, body)


@router.post("/sos", response_model=SosResult, summary="SOS: alert HQ at once, with the position")
async def sos(
    body: SosRequest, member: AnyMember, conn: Conn, redis: Redis, settings: AppSettings, response: Response
) -> SosResult:
    a, created = await queries.sos(conn, member.campaign_id, member.user.id, body.id, body.lon, body.lat, body.note)
    notified = (
        await live.publish_alert(redis, member.campaign_id, a, "raised", settings.redis_prefix) if created else True
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return SosResult(alert=a, created=created, notified=notified)
