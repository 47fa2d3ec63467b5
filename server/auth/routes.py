from __future__ import annotations

from fastapi import APIRouter

from server.auth import queries
from server.auth.schemas import CampaignRole, Me
from server.deps import Conn, CurrentUser

router = APIRouter(prefix="/api", tags=["auth"])


@router.get("/me", response_model=Me, summary="Who the token belongs to, and their campaigns")
async def me(user: CurrentUser, conn: Conn) -> Me:
    rows = await queries.memberships(conn, user.id)
    return Me(
        login=user.login, name=user.name,
        campaigns=[CampaignRole(slug=r["slug"], name=r["name"], role=r["role"]) for r in rows],
    )
