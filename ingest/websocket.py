"""The volunteer websocket, /ws/pings: auth frame, then ping frames; acks after commit.

Close codes: 1008 (no/invalid auth, auth too late, access revoked meanwhile, or a client that
does not read its frames: more than `ingest_outbox_max_frames` waiting), 1009 (frame too large;
the websocket server enforces it too), 1007 (too many refused frames in a row: malformed, or
every ping off shift, too old or out of range), 1013 (database down at auth, or more frames per
second than `ingest_frames_per_s` allows: try again later).
"""

from __future__ import annotations

import asyncio
import logging
import time

from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect

from ingest import protocol as P
from ingest.outbox import Outbox
from ingest.pipeline import TokenBucket
from server.consent.queries import ConsentRequired
from server.errors import QuadrillerError, ServiceUnavailable

log = logging.getLogger("ingest.websocket")

# Put in a connection's outbox when the person is removed from the campaign: the sender closes.
_REVOKED = "\x00revoked"

# A frame whose pings were all refused for one of these counts toward the malformed limit: a
# client that keeps sending what can never be taken costs an error frame per ping, for nothing.
_REFUSED_CODES = frozenset({P.MALFORMED, P.OFF_SHIFT, P.TOO_OLD, P.OUT_OF_RANGE})


def _payload(message: dict) -> str | bytes | None:
    text = message.get("text")
    return text if text is not None else message.get("bytes")


def _size(data: str | bytes) -> int:
    # A str's UTF-8 size is at least its length; encode only when that could matter.
    return len(data) if isinstance(data, bytes) or data.isascii() else len(data.encode())


async def _set_sharing(pipeline, vol, pause: bool, out: Outbox, was_paused: bool, commit_wait_s: float) -> bool:
    """Pause or resume sharing for this connection; returns the new paused flag.

    On pause, pings already received are processed first (published live, and stored as usual:
    they were taken while sharing), then the volunteer's live state is removed and HQ told, in
    that order, at once. `paused` is then sent once those pings are committed, after their acks,
    so that a client may clear its outbox on `paused`; but a pause never waits for PostgreSQL
    longer than `commit_wait_s` (stopping being watched must never hang): past that, `paused`
    says `"pending": true` and the acks follow when the database is back."""
    pending = False
    if pause:
        await pipeline.settle()
        try:
            await pipeline.live.remove(vol.campaign_id, vol.user_id)
        except Exception as exc:  # noqa: BLE001 - Redis down: paused here, but say HQ may still show them
            log.warning("pause not published: %s: %s", type(exc).__name__, exc)
            out.put_nowait(
                P.error_frame(
                    P.PingError(
                        None,
                        "live_unavailable",
                        "paused, but HQ may still show your last position until it turns stale",
                    )
                )
            )
        pending = not await pipeline.writer.committed(commit_wait_s)
    elif was_paused:
        await pipeline.live.resumed(vol.campaign_id, vol.user_id)
    out.put_nowait(P.sharing_frame(pause, pending))
    return pause


async def _change_shift(pipeline, vol, start: bool, out: Outbox) -> None:
    """Start or end the volunteer's shift and answer with a shift frame. Ending first stores
    (and acks) what was already received: those pings were taken on shift."""
    try:
        if start:
            try:
                shift, created, notified = await pipeline.duty.start(vol)
            except ConsentRequired as exc:  # no consent, no tracking: the same rule as over HTTP
                out.put_nowait(P.error_frame(P.PingError(None, P.CONSENT_REQUIRED, exc.detail)))
                return
            out.put_nowait(P.shift_frame(True, shift.id, shift.started_at.timestamp(), created=created))
        else:
            await pipeline.settle()
            if not await pipeline.writer.committed(10.0):
                raise TimeoutError("the pings before the end are not stored yet")
            ended, notified = await pipeline.duty.end(vol)
            out.put_nowait(
                P.shift_frame(
                    False, ended and ended.id, ended and ended.started_at.timestamp(), ended_by=ended and ended.ended_by
                )
            )
    except Exception as exc:  # noqa: BLE001 - PostgreSQL down or slow: nothing changed, retry
        log.warning("shift %s failed: %s: %s", "start" if start else "end", type(exc).__name__, exc)
        out.put_nowait(
            P.error_frame(P.PingError(None, P.UNAVAILABLE, "database unavailable: shift not changed, try again"))
        )
        return
    if not notified:
        out.put_nowait(
            P.error_frame(P.PingError(None, "live_unavailable", "shift changed, but HQ's live map was not told"))
        )


async def _authenticate(ws: WebSocket, settings, auth, pipeline, ip: str):
    """(device, volunteer) from the first frame, or None once the socket is closed with why."""
    max_bytes = settings.ingest_max_frame_bytes
    # --- the token travels in the first frame, never in the URL (logs) ---
    try:
        message = await asyncio.wait_for(ws.receive(), settings.ingest_auth_timeout_s)
    except TimeoutError:
        await ws.close(1008, "no auth frame in time")
        return None
    if message["type"] == "websocket.disconnect":
        return None
    data = _payload(message)
    if data is None or _size(data) > max_bytes:
        await ws.close(1009 if data is not None else 1008, "auth frame too large" if data else "no auth")
        return None
    try:
        token, slug = P.parse_auth(data)
        device = await auth.authenticate(token, campaign=slug, ip=ip)
        return device, await pipeline.volunteer(device.campaign_id, device.user_id)
    except P.PingError as err:
        await ws.close(1008, err.reason[:120])
    except ServiceUnavailable:
        await ws.close(1013, "database unavailable, try again later")
    except QuadrillerError as err:
        await ws.close(1008, err.detail[:120])
    return None


async def pings_socket(ws: WebSocket) -> None:
    st = ws.state
    settings, pipeline, auth = st.settings, st.pipeline, st.auth
    max_bytes = settings.ingest_max_frame_bytes
    # Before authentication a socket costs us and proves nothing: a few per address at once.
    ip = ws.client.host if ws.client else ""
    if not st.unauthenticated.acquire(ip):
        # Accepted, then closed with 1013 ("try again later"): a client retries with its backoff.
        # A refused handshake (HTTP 403) would read as a bad credential, which clients give up on,
        # and phones behind one address reconnecting after a restart must not give up.
        await ws.accept()
        await ws.close(1013, "too many connections waiting to authenticate from this address: retry later")
        return
    try:
        await ws.accept()
        authed = await _authenticate(ws, settings, auth, pipeline, ip)
    finally:
        st.unauthenticated.release(ip)
    if authed is None:
        return
    device, vol = authed

    closed = revoked = False

    async def send(frame: str | None) -> bool:  # the outbox's sender; False: nothing more goes out
        try:
            if frame is None:
                return False
            if frame is _REVOKED:
                await ws.close(1008, "access revoked")
                return False
            await ws.send_text(frame)
            return True
        except Exception:  # noqa: BLE001 - the client is gone; the receive loop notices too
            return False

    out = Outbox(settings.ingest_outbox_max_frames, send)

    def sink(seqs: list[int], ok: bool) -> None:  # called by the writer after commit
        if closed:
            return
        if ok:
            out.put_nowait(P.ack_frame(seqs))
        else:
            for s in seqs:
                out.put_nowait(P.error_frame(P.PingError(s, "rejected", "refused by the database")))

    await ws.send_text(
        P.ready_frame(
            device.user_id, device.campaign, max_bytes, settings.ingest_rate_per_device, vol.shift_id, vol.shift_since
        )
    )

    # HQ's assignments for this volunteer's team reach this socket at once (ingest/relay.py)
    def revoke() -> None:  # removed from the campaign (ingest/relay.py): no further ping taken
        nonlocal revoked
        revoked = True
        out.put_control(_REVOKED)

    unregister = st.relay.register(vol.campaign_id, vol.user_id, lambda frame: closed or out.put_nowait(frame), revoke)
    limits = P.Limits.from_settings(settings)
    frames = TokenBucket(settings.ingest_frames_per_s, settings.ingest_frames_burst)
    shift_changes = TokenBucket(settings.ingest_shift_changes_per_min / 60.0, settings.ingest_shift_changes_burst)
    malformed_in_a_row = 0
    paused = False
    close: tuple[int, str] | None = None
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect" or revoked:
                break
            if out.overflowed:
                close = (1008, f"more than {out.max_frames} frames unread: read your frames")
                break
            if not frames.take(1)[0]:
                close = (1013, f"more than {settings.ingest_frames_per_s:g} frames per second: send pings frames")
                break
            data = _payload(message)
            if data is None:
                continue
            if _size(data) > max_bytes:
                close = (1009, f"frame larger than {max_bytes} bytes")
                break
            try:
                pings, errors = P.parse_pings(data, time.time(), limits)
            except P.PingError as err:
                pings, errors = [], [err]
            except P.Control as control:
                if control.kind in ("shift_start", "shift_end"):
                    granted, retry_ms = shift_changes.take(1)
                    if granted:
                        await _change_shift(pipeline, vol, control.kind == "shift_start", out)
                    else:  # each change is a database transaction: not executed, send it again later
                        out.put_nowait(P.throttle_frame(retry_ms, []))
                else:
                    paused = await _set_sharing(
                        pipeline, vol, control.kind == "pause", out, paused, settings.ingest_pause_commit_wait_s
                    )
                malformed_in_a_row = 0
                continue
            accepted = None
            if paused and pings:
                # Paused means not tracked: refuse, don't store. The client should not send.
                errors += [P.PingError(p.seq, P.PAUSED, "sharing is paused: send resume first") for p in pings]
            elif pings:
                # Warnings ("stored, flagged") follow the ack: they say what was stored.
                accepted = pipeline.accept(
                    vol,
                    "ws",
                    pings,  # shift → rate → queue
                    P.warn_after_ack(sink, pings, limits.max_acc, out.put_nowait),
                )
                errors += accepted.off_shift
            if accepted is None or not (accepted.pings or accepted.dropped):
                pings = []
            if not pings and any(e.code in _REFUSED_CODES for e in errors):
                malformed_in_a_row += 1
                if malformed_in_a_row >= settings.ingest_malformed_limit:
                    close = (
                        1007,
                        f"{malformed_in_a_row} refused frames in a row (malformed, off shift, too old or out of range)",
                    )
                    break
            else:
                malformed_in_a_row = 0
            for err in errors:
                out.put_nowait(P.error_frame(err))
            if accepted is None:
                continue
            if accepted.dropped:
                out.put_nowait(P.throttle_frame(accepted.retry_ms, accepted.dropped))
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client went away mid-receive
    finally:
        closed = True
        unregister()
        out.put_control(None)
        if close is not None:
            # Let queued frames (errors, acks) go out before the close frame.
            await out.drained(1.0)
            try:
                await asyncio.wait_for(ws.close(*close), 1.0)  # a client not reading: don't wait on it
            except Exception:  # noqa: BLE001 - already gone
                pass
        out.cancel()
