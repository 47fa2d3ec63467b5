"""HQ sessions over HTTP: sign in with the API token, renew, sign out."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from server.auth.tokens import is_session_token
from server.deps import ApiTokenUser, AppSettings, BearerToken, Conn, CurrentUser
from server.errors import QuadrillerError
from server.sessions import queries
from server.sessions.schemas import Session, SessionUser

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


class NotASession(QuadrillerError):
    def __init__(self) -> None:
        super().__init__("this needs a session token (qds_…), from POST /api/sessions", code="session_token_required")


@router.post(
    "",
    response_model=Session,
    status_code=status.HTTP_201_CREATED,
    summary="Trade the API token for a short-lived session token (the HQ page keeps only that one)",
)
async def create(user: ApiTokenUser, conn: Conn, settings: AppSettings) -> Session:
    return await queries.create(conn, user, settings.hq_session_ttl_s, settings.hq_session_max_s)


@router.post(
    "/renew",
    response_model=Session,
    summary="A new session token and expiry; the old token stops working after a few seconds' grace",
)
async def renew(token: BearerToken, conn: Conn, settings: AppSettings) -> Session:
    if not is_session_token(token):
        raise NotASession()
    return await queries.renew(conn, token, settings.hq_session_ttl_s, settings.hq_session_renew_grace_s)


@router.delete(
    "/current",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Sign out: the session token stops working at once",
)
async def sign_out(user: CurrentUser, conn: Conn) -> Response:
    if not isinstance(user, SessionUser):
        raise NotASession()
    await queries.end(conn, user.session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
