"""/ws/live: the HQ live map's feed.

Protocol (text frames, JSON):
  client → {"type":"auth","token":"…","campaign":"slug","district":"code"?,"team":id?}   (first frame)
  server → {"type":"snapshot","t":ms,"volunteers":[state + "stale": bool, …]}
  server → {"type":"deltas","t":ms,"volunteers":[state…],"stale":[id…],"gone":[id…],"events"?:[state…]}
A state is the delta ingest published ({"type":"ping","v":…,"lon":…,…}). A volunteer listed in
"volunteers" is live (not stale); "stale" lists those newly without a ping for
live_stale_after_s; "gone" those paused, removed, or moved out of the viewer's district/team.
"events" keeps enter/exit transitions that coalescing would otherwise fold away.
Close codes: 1008 not allowed (bad token, not admin/coordinator of the campaign, bad or late
auth frame), 1013 try again later (database or Redis down, or the viewer stalled too long).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging

import orjson
from fastapi import APIRouter, WebSocket
from pydantic import ValidationError
from starlette.websockets import WebSocketDisconnect

from server.auth import queries as auth_queries
from server.live.frames import Scope
from server.live.hub import LiveHub, Viewer
from server.live.schemas import AuthFrame

log = logging.getLogger("server.live")
router = APIRouter(tags=["live"])

HQ_ROLES = ("admin", "coordinator")
MAX_AUTH_BYTES = 4096


class Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


async def _authenticate(ws: WebSocket) -> tuple[int, Scope]:
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
    try:
        async with st.pool.acquire(timeout=5) as conn:
            user = await auth_queries.user_by_token(conn, auth.token)
            member = await auth_queries.membership(conn, user, auth.campaign) if user else None
    except (OSError, asyncio.TimeoutError) as exc:
        log.warning("live auth: database unavailable: %s", exc)
        raise Refused(1013, "database unavailable, try again later") from None
    # One reason for unknown token, unknown campaign, non-member and wrong role: a refused
    # viewer learns nothing about which campaigns exist.
    if member is None or member.role not in HQ_ROLES:
        raise Refused(1008, "not allowed: needs an admin or coordinator token for this campaign")
    return member.campaign_id, Scope(auth.district, auth.team)


async def _send_frames(ws: WebSocket, viewer: Viewer, timeout: float) -> None:
    """Send only ever the newest coalesced frame; the hub merges while a send is in progress."""
    while True:
        await viewer.wake.wait()
        viewer.wake.clear()
        text = viewer.take()
        if text is not None:
            try:
                await asyncio.wait_for(ws.send_text(text), timeout)
            except TimeoutError:
                raise Refused(1013, "viewer too slow, reconnect") from None


async def _drain_incoming(ws: WebSocket) -> None:
    """Nothing is expected from the viewer after auth; reading notices the disconnect."""
    while (await ws.receive())["type"] != "websocket.disconnect":
        pass


@router.websocket("/ws/live")
async def live_socket(ws: WebSocket) -> None:
    hub: LiveHub = ws.state.live_hub
    await ws.accept()
    viewer = None
    tasks: list[asyncio.Task] = []
    try:
        campaign_id, scope = await _authenticate(ws)
        viewer = await hub.join(campaign_id, scope)
        # Joined before reading the hash: deltas arriving meanwhile wait in the viewer's backlog
        # and go out right after the snapshot, so nothing falls between the two.
        await ws.send_text(await hub.snapshot(viewer))
        tasks = [asyncio.create_task(_send_frames(ws, viewer, ws.state.settings.live_send_timeout_s)),
                 asyncio.create_task(_drain_incoming(ws))]
        viewer.wake.set()
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # re-raise a Refused from the sender
    except Refused as err:
        with contextlib.suppress(Exception):
            await ws.close(err.code, err.reason)
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
