from __future__ import annotations

from fastapi import APIRouter

from server.auth import queries
from server.auth.schemas import CampaignRole, DeviceToken, Me
from server.deps import ApiTokenUser, Conn, CurrentUser

router = APIRouter(prefix="/api", tags=["auth"])


@router.get("/me", response_model=Me, summary="Who the token belongs to, and their campaigns")
async def me(user: CurrentUser, conn: Conn) -> Me:
    rows = await queries.memberships(conn, user.id)
    return Me(
        login=user.login,
        name=user.name,
        campaigns=[CampaignRole(slug=r["slug"], name=r["name"], role=r["role"]) for r in rows],
    )


@router.post(
    "/me/device-token",
    response_model=DeviceToken,
    summary="A new device token for OwnTracks / Traccar Client (revokes the previous one)",
)
async def device_token(user: ApiTokenUser, conn: Conn) -> DeviceToken:
    """Shown once: the phone page displays it in the apps' settings. Only the ingest service
    accepts it, so an app's URL or settings screen never holds HQ access. Only the API token
    issues one: a session token must not mint a credential that outlives it."""
    return DeviceToken(login=user.login, device_token=await queries.issue_device_token(conn, user.id))
