"""Sessions: created from the API token, renewed by rotating their token, ended by signing out.

Session tokens (`qds_…`) are 256-bit random and stored as SHA-256 only, like the API token
(server/auth/tokens.py). A renewal replaces the token; the replaced one keeps working for
`grace_s` (QUADRILLER_HQ_SESSION_RENEW_GRACE_S, a few seconds) so that requests sent just before
the renewal do not fail, but it can renew nothing.
"""

from __future__ import annotations

import asyncpg

from server.auth.schemas import User
from server.auth.tokens import hash_token, new_session_token
from server.errors import Unauthenticated
from server.sessions.schemas import Session, SessionUser
from server.sql import sql

SIGN_IN_AGAIN = "sign in again with your API token"
# Sessions one person holds at once (browsers, tabs that lost their storage): signing in past it
# ends the oldest.
MAX_SESSIONS_PER_USER = 20


class SessionExpired(Unauthenticated):
    """A session token that no longer works: the HQ page shows its sign-in again."""

    def __init__(self, detail: str, code: str = "session_expired") -> None:
        super().__init__(detail, code=code)


def _session(token: str, row: asyncpg.Record) -> Session:
    return Session(
        token=token,
        expires_at=row["expires_at"],
        expires_in_s=round(row["expires_in_s"], 3),
        ends_at=row["ends_at"],
        ends_in_s=round(row["ends_in_s"], 3),
    )


async def create(conn: asyncpg.Connection, user: User, ttl_s: float, max_s: float) -> Session:
    token = new_session_token()
    async with conn.transaction():
        row = await conn.fetchrow(sql("sessions/insert"), user.id, hash_token(token), ttl_s, max_s)
        await conn.execute(sql("sessions/keep_newest"), user.id, MAX_SESSIONS_PER_USER)
    return _session(token, row)


async def user_by_session_token(conn: asyncpg.Connection, token: str) -> SessionUser:
    """The caller of a session token; SessionExpired when it is unknown, signed out or expired."""
    row = await conn.fetchrow(sql("sessions/user_by_token"), hash_token(token))
    if row is None:
        raise SessionExpired(f"unknown, replaced or signed-out session: {SIGN_IN_AGAIN}")
    if not row["live"]:
        raise SessionExpired(f"the session expired at {row['expires_at'].isoformat()}: {SIGN_IN_AGAIN}")
    return SessionUser(id=row["id"], login=row["login"], name=row["name"], session_id=row["session_id"])


async def renew(conn: asyncpg.Connection, token: str, ttl_s: float, grace_s: float) -> Session:
    """A new token for the session of `token` (its current one), valid `ttl_s` more, never past
    the session's end."""
    new = new_session_token()
    row = await conn.fetchrow(sql("sessions/renew"), hash_token(token), hash_token(new), grace_s, ttl_s)
    if row is not None:
        return _session(new, row)
    state = await conn.fetchrow(sql("sessions/state"), hash_token(token))
    if state is not None and state["ended"]:
        raise SessionExpired(f"a session lasts at most its maximum lifetime: {SIGN_IN_AGAIN}", "session_max_lifetime")
    if state is not None:
        raise SessionExpired(f"the session expired: {SIGN_IN_AGAIN}")
    raise SessionExpired(f"unknown, replaced or signed-out session (only its current token renews it): {SIGN_IN_AGAIN}")


async def end(conn: asyncpg.Connection, session_id: int) -> None:
    await conn.execute(sql("sessions/delete"), session_id)


async def alive(conn: asyncpg.Connection, session_id: int) -> bool:
    return await conn.fetchval(sql("sessions/alive"), session_id)


async def delete_expired(conn: asyncpg.Connection, before) -> int:
    return await conn.fetchval(sql("sessions/delete_expired"), before)
