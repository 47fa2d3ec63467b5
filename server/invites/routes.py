"""Invites.

POST /api/campaigns/{slug}/invites    (HQ) a one-time link and its QR code (a coordinator
                                       invites volunteers only)
GET  /api/campaigns/{slug}/invites    (HQ) the campaign's invites, used or not
POST /api/invites/{secret}/accept     (anyone with the link, once) {"name"}: creates the
                                       account, answers its token and the tracking apps' settings
POST /api/campaigns/{slug}/apps       (any member) a new device token and the same apps'
                                       settings (the previous device token stops working)

Both answers carry the OwnTracks and Traccar Client settings as text and as QR codes, built here
in one place, so the phone page shows them in one section whichever way they came.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status

from server.auth.queries import issue_device_token
from server.deps import AnyMember, AppSettings, Conn, HQMember
from server.errors import Forbidden
from server.public_urls import ingest_http_url
from server.invites import queries
from server.invites.links import device_settings, invite_url, qr_svg
from server.invites.schemas import Accept, Accepted, InviteCreated, InviteRow, NewInvite, TrackingApps

router = APIRouter(tags=["invites"])
Secret = Annotated[str, Path(min_length=16, max_length=64)]


@router.post(
    "/api/campaigns/{slug}/invites",
    response_model=InviteCreated,
    status_code=status.HTTP_201_CREATED,
    summary="A one-time invite link and its QR code (HQ)",
)
async def create_invite(body: NewInvite, member: HQMember, conn: Conn, request: Request) -> InviteCreated:
    if member.role != "admin" and body.role != "volunteer":
        raise Forbidden("a coordinator invites volunteers only")
    row, secret, team = await queries.create(conn, member.campaign_id, body.role, body.team, body.hours, member.user.id)
    url = invite_url(str(request.base_url), secret)
    return InviteCreated(
        id=row["id"], url=url, qr_svg=qr_svg(url), role=row["role"], team=team, expires_at=row["expires_at"]
    )


@router.get("/api/campaigns/{slug}/invites", response_model=list[InviteRow], summary="The campaign's invites (HQ)")
async def list_invites(
    member: HQMember, conn: Conn, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[InviteRow]:
    return [InviteRow(**dict(r)) for r in await queries.listing(conn, member.campaign_id, limit)]


@router.post(
    "/api/invites/{secret}/accept",
    response_model=Accepted,
    status_code=status.HTTP_201_CREATED,
    summary="Use an invite link (once): creates my account and device token",
)
async def accept_invite(secret: Secret, body: Accept, conn: Conn, settings: AppSettings, request: Request) -> Accepted:
    invite, login, token, device_token = await queries.accept(conn, secret, body.name)
    devices, qr = _apps(settings, invite["slug"], login, device_token)
    return Accepted(
        campaign=invite["slug"],
        login=login,
        name=body.name,
        role=invite["role"],
        token=token,
        devices=devices,
        devices_qr_svg=qr,
    )


@router.post(
    "/api/campaigns/{slug}/apps",
    response_model=TrackingApps,
    status_code=status.HTTP_201_CREATED,
    summary="A new device token and the OwnTracks / Traccar Client settings, as text and QR codes",
)
async def tracking_apps(member: AnyMember, conn: Conn, settings: AppSettings) -> TrackingApps:
    """Shown once (stored hashed); the previous device token stops working."""
    device_token = await issue_device_token(conn, member.user.id)
    devices, qr = _apps(settings, member.slug, member.user.login, device_token)
    return TrackingApps(campaign=member.slug, login=member.user.login, devices=devices, devices_qr_svg=qr)


def _apps(settings, slug: str, login: str, device_token: str) -> tuple[dict, dict[str, str]]:
    """(the apps' settings, the same as QR codes). The apps get the device token (positions
    only), never the access code of the API."""
    devices = device_settings(ingest_http_url(settings), slug, login, device_token)
    qr = {
        "owntracks": qr_svg(_owntracks_config(devices["owntracks"])),
        "traccar": qr_svg(devices["traccar"]["server_url"] + "&id=" + device_token),
    }
    return devices, qr


def _owntracks_config(s: dict) -> str:
    """OwnTracks reads a configuration from an `owntracks:///config?inline=<base64 JSON>` link."""
    conf = {
        "_type": "configuration",
        "mode": 3,
        "url": s["url"],
        "auth": True,
        "username": s["user"],
        "password": s["password"],
    }
    return "owntracks:///config?inline=" + base64.urlsafe_b64encode(json.dumps(conf).encode()).decode()
