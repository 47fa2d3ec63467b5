"""/ws/live: the HQ live map's feed.

Protocol (text frames, JSON):
  client → {"type":"auth","token":"…","campaign":"slug","district":"code"?,"team":id?,"flow":"ack"?,
            "encoding":"json"|"binary"?}
  client → {"type":"ack"}   with flow "ack", after each message it received (deltas, hexes, errors)
  client → {"type":"view","bbox":[w,s,e,n],"zoom":z}   (also "view":{…} in the auth frame): from
            then on, volunteers one by one only in the view and its margin, hex counts for the
            rest (server/live/viewport.py); without one, everything, as before
  server → {"type":"hexes","t":ms,"res":r,"full":bool,"cells":[["<h3>",n]…]}  (binary: "QH" frames)
  server → {"type":"totals","t":ms,"live":n,"stale":n,"stations":n}  (viewers with a view: the
            campaign's counts within district/team, which their own view cannot give; on change)
  server → {"type":"error","code":"bad_view"|"bad_frame","reason":"…"}   the frame was ignored
  server → {"type":"snapshot","t":ms,"volunteers":[state + "stale": bool, …],
            "on_shift":[{"v":id,"since":epoch s,"team":id|null}, …]}
  server → {"type":"deltas","t":ms,"volunteers":[state…],"stale":[id…],"gone":[id…],"events"?:[event…]}
With "encoding":"binary", deltas come as binary frames instead (layout in server/live/binary.py,
about 20 bytes per volunteer update against 270 in JSON); the snapshot stays JSON.
A state is the delta ingest published ({"type":"ping","v":…,"lon":…,…}). A volunteer listed in
"volunteers" is live (not stale); "stale" lists those newly without a ping for
live_stale_after_s; "gone" those paused, removed, or moved out of the viewer's district/team; "out" (viewers
that sent a view only) those that left the view: drop their dots, nothing happened to them.
"events" keeps what coalescing would otherwise fold away, in order: enter/exit pings (states
with "ev"), and {"type":"shift","v","on":bool,…}, {"type":"pause","v"}, {"type":"resume","v"}.
The token is an HQ session token (`qds_…`, POST /api/sessions; renewing it keeps the socket
open) or the API token.
Close codes: 1008 not allowed (bad token or expired session, not admin/coordinator of the
campaign, bad or late auth frame; or no longer: membership and session are re-checked every
live_access_recheck_s, reason "access revoked" or "session expired"), 1013 try again later (database or Redis down, or the viewer stalled too long).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
import orjson
from fastapi import APIRouter, WebSocket
from pydantic import ValidationError
from starlette.websockets import WebSocketDisconnect

from server.audit import queries as audit
from server.auth import queries as auth_queries
from server.auth.schemas import Membership, User
from server.auth.tokens import is_session_token
from server.db import connection
from server.errors import QuadrillerError, ServiceUnavailable
from server.live.binary import BinaryEncoder
from server.live.frames import Scope
from server.live.hub import LiveHub
from server.live.viewer import Viewer
from server.live.schemas import AuthFrame
from server.live.viewport import parse_view
from server.sessions import queries as session_queries
from server.sessions.queries import SessionExpired
from server.sessions.schemas import SessionUser
from server.shifts import queries as shift_queries

log = logging.getLogger("server.live")
router = APIRouter(tags=["live"])

HQ_ROLES = ("admin", "coordinator")
MAX_AUTH_BYTES = 4096


class Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


async def _viewer(conn: asyncpg.Connection, token: str, campaign: str) -> Membership | None:
    """The viewer's membership if they may watch the campaign: an admin or coordinator, by an HQ
    session token (the HQ page) or the API token (scripts). None otherwise, expired sessions
    included: one reason for all, so a refused viewer learns nothing about which campaigns exist."""
    try:
        user: User | None = (
            await session_queries.user_by_session_token(conn, token)
            if is_session_token(token)
            else await auth_queries.user_by_token(conn, token)
        )
    except SessionExpired:
        return None
    member = await auth_queries.membership(conn, user, campaign) if user else None
    return member if member is not None and member.role in HQ_ROLES else None


async def _recheck_access(ws: WebSocket, auth: AuthFrame, member: Membership) -> None:
    """A viewer removed from the campaign (`quadriller users revoke`) or demoted, or whose session
    expired or was signed out, stops receiving positions within `live_access_recheck_s`: two
    indexed reads per viewer and period (HQ viewers are few). A session is followed by its id, not
    its token: renewing it rotates the token and keeps the socket open. The database away: the
    viewer keeps its feed until it is back."""
    every = ws.state.settings.live_access_recheck_s
    session_id = member.user.session_id if isinstance(member.user, SessionUser) else None
    while True:
        await asyncio.sleep(every)
        try:
            async with connection(ws.state.pool) as conn:
                if session_id is not None and not await session_queries.alive(conn, session_id):
                    raise Refused(1008, "session expired")
                again = await auth_queries.membership(conn, member.user, auth.campaign)
                if session_id is None and await auth_queries.user_by_token(conn, auth.token) is None:
                    again = None
            if again is None or again.role not in HQ_ROLES:
                raise Refused(1008, "access revoked")
        except ServiceUnavailable:
            continue


async def _authenticate(ws: WebSocket) -> tuple[Membership, Scope, AuthFrame]:
    st = ws.state
    try:
        message = await asyncio.wait_for(ws.receive(), st.settings.live_auth_timeout_s)
    except TimeoutError:
        raise Refused(1008, "no auth frame in time") from None
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    data = message.get("text") or message.get("bytes") or b""
    if len(data) > MAX_AUTH_BYTES:
        raise Refused(1008, "auth frame too large")
    try:
        auth = AuthFrame.model_validate(orjson.loads(data))
    except (orjson.JSONDecodeError, ValidationError):
        raise Refused(1008, 'the first frame must be {"type":"auth","token":…,"campaign":…}') from None
    async with connection(st.pool) as conn:  # database away: ServiceUnavailable, closed with 1013
        member = await _viewer(conn, auth.token, auth.campaign)
    if member is None:
        raise Refused(1008, "not allowed: needs an admin or coordinator token for this campaign")
    async with connection(st.pool) as conn:  # every viewer of live positions is audited
        await audit.record(conn, member, "live", {"district": auth.district, "team": auth.team})
    return member, Scope(auth.district, auth.team), auth


class Acks:
    """Messages sent and not acknowledged yet (flow "ack"): the next send waits until none is."""

    def __init__(self) -> None:
        self.unacked = 1  # the snapshot
        self.event = asyncio.Event()

    def sent(self, n: int) -> None:
        self.unacked += n
        if self.unacked > 0:
            self.event.clear()

    def received(self) -> None:
        self.unacked = max(0, self.unacked - 1)
        if self.unacked == 0:
            self.event.set()


def _messages(viewer: Viewer, binary: BinaryEncoder | None) -> list[dict]:
    """What is pending for a viewer, newest only: deltas, then aggregates and totals, then error frames."""
    out = []
    frame = viewer.take_frame()
    if frame is not None:
        out.append({"bytes": binary.encode(frame)} if binary is not None else {"text": frame.text})
    hexes = viewer.take_hexes()
    if hexes is not None:
        out.append({"bytes": hexes.binary()} if binary is not None else {"text": hexes.text()})
    totals = viewer.take_totals()
    if totals is not None:
        out.append({"text": totals})
    errors, viewer.errors = viewer.errors, []
    out.extend({"text": text} for text in errors)
    return out


async def _send_frames(
    ws: WebSocket, viewer: Viewer, timeout: float, acks: Acks | None, binary: BinaryEncoder | None = None
) -> None:
    """Send only ever the newest coalesced frame; the hub merges while a send is in progress,
    and, for viewers that acknowledge frames, until every message sent is acknowledged."""
    while True:
        if acks is not None:
            try:
                await asyncio.wait_for(acks.event.wait(), timeout)
            except TimeoutError:
                raise Refused(1013, "viewer stopped acknowledging frames, reconnect") from None
        await viewer.wake.wait()
        viewer.wake.clear()
        messages = _messages(viewer, binary)
        if acks is not None:
            acks.sent(len(messages))
        for message in messages:
            try:
                await asyncio.wait_for(ws.send({"type": "websocket.send", **message}), timeout)
            except TimeoutError:
                raise Refused(1013, "viewer too slow, reconnect") from None


def _error(code: str, reason: str) -> str:
    return orjson.dumps({"type": "error", "code": code, "reason": reason}).decode()


async def _read_incoming(ws: WebSocket, viewer: Viewer, acks: Acks | None) -> None:
    """After auth: acknowledgements and views; reading also notices the disconnect. A frame the
    server cannot use gets an error frame and changes nothing."""
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        data = message.get("text") or message.get("bytes") or b""
        if len(data) > MAX_AUTH_BYTES:
            viewer.refuse(_error("bad_frame", f"frame over {MAX_AUTH_BYTES} bytes"))
            continue
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError:
            viewer.refuse(_error("bad_frame", "not JSON"))
            continue
        kind = obj.get("type") if isinstance(obj, dict) else None
        if kind == "ack":
            if acks is not None:
                acks.received()
        elif kind == "view":
            view = parse_view(obj)
            if isinstance(view, str):
                viewer.refuse(_error("bad_view", view))
            else:
                viewer.next_view = view  # applied at the next tick: views sent in a burst cost one
        # other kinds: ignored, so that newer clients can talk to older servers


async def _on_shift(ws: WebSocket, campaign_id: int) -> list[dict] | None:
    """Who is on shift (PostGIS), or None if the database is unreachable: the live map still
    works from Redis, without the on-shift count."""
    st = ws.state
    try:
        async with connection(st.pool) as conn:
            rows = await shift_queries.on_shift(conn, campaign_id, st.settings.shift_max_hours)
    except (QuadrillerError, asyncpg.PostgresError) as exc:  # translated, or an unmapped database error
        log.warning("live snapshot without shifts: %s: %s", type(exc).__name__, exc)
        return None
    return [{"v": r.volunteer, "since": r.started_at.timestamp(), "team": r.team} for r in rows]


@router.websocket("/ws/live")
async def live_socket(ws: WebSocket) -> None:
    hub: LiveHub = ws.state.live_hub
    # Before authentication a socket costs us and proves nothing: a few per address at once.
    ip = ws.client.host if ws.client else ""
    if not ws.state.unauthenticated.acquire(ip):
        # Accepted, then closed with 1013 ("try again later"): a client retries with its backoff.
        # A refused handshake (HTTP 403) would read as a bad credential, which clients give up on,
        # and phones behind one address reconnecting after a restart must not give up.
        await ws.accept()
        await ws.close(1013, "too many connections waiting to authenticate from this address: retry later")
        return
    await ws.accept()
    viewer = None
    tasks: list[asyncio.Task] = []
    try:
        try:
            member, scope, auth = await _authenticate(ws)
            campaign_id = member.campaign_id
        finally:
            ws.state.unauthenticated.release(ip)
        acks = Acks() if auth.flow == "ack" else None
        binary = BinaryEncoder() if auth.encoding == "binary" else None
        view = parse_view(auth.view) if auth.view is not None else None
        viewer = await hub.join(campaign_id, scope, None if isinstance(view, str) else view)
        if isinstance(view, str):  # a bad view: everything, as without one, and the reason why
            viewer.refuse(_error("bad_view", view))
        # Joined before reading the hash: deltas arriving meanwhile wait in the viewer's backlog
        # and go out right after the snapshot, so nothing falls between the two.
        await ws.send_text(await hub.snapshot(viewer, await _on_shift(ws, campaign_id)))
        tasks = [
            asyncio.create_task(_send_frames(ws, viewer, ws.state.settings.live_send_timeout_s, acks, binary)),
            asyncio.create_task(_read_incoming(ws, viewer, acks)),
            asyncio.create_task(_recheck_access(ws, auth, member)),
        ]
        viewer.wake.set()
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # re-raise a Refused from the sender
    except Refused as err:
        with contextlib.suppress(Exception):
            await ws.close(err.code, err.reason)
    except ServiceUnavailable as exc:
        log.warning("live viewer refused: %s", exc.detail)
        with contextlib.suppress(Exception):
            await ws.close(1013, "database unavailable, try again later")
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass  # the viewer went away
    except Exception as exc:  # noqa: BLE001 - e.g. Redis down while reading the snapshot
        log.warning("live viewer closed: %s: %s", type(exc).__name__, exc)
        with contextlib.suppress(Exception):
            await ws.close(1013, "live feed unavailable, try again later")
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if viewer is not None:
            await hub.leave(viewer)
