"""The volunteer websocket, /ws/pings: auth frame, then ping frames; acks after commit.

Close codes: 1008 (no/invalid auth, auth too late, access revoked meanwhile, or a client that
does not read its frames: more than `ingest_outbox_max_frames` written while our write buffer
is not empty), 1009 (frame too large; the websocket parser enforces it), 1007 (too many refused
frames in a row: malformed, or every ping off shift, too old or out of range), 1013 (database
down at auth, too many sockets waiting to authenticate from one address, or more frames per
second than `ingest_frames_per_s` allows: try again later), 1011 (a bug of ours, logged).

A `PingsConnection` is driven by the transport's protocol (ingest/ws_protocol.py): `received`
is called for each whole frame, in order, and frames go out with `put_nowait`, written to the
transport at once. The ping path never awaits: parse, admit, queue for the pipeline's next
tick; the writer calls the connection's sink after the commit, which writes the ack. Only the
auth frame and control frames (shift, pause) await something (PostgreSQL, Redis): while one
runs, later frames wait in a backlog, in order, and past a few the socket is no longer read.
"""

from __future__ import annotations

import logging
import time
from collections import deque

from ingest import protocol as P
from ingest import wire
from ingest.device_http import limits_of
from ingest.volunteer import TokenBucket
from server.consent.queries import ConsentRequired
from server.errors import QuadrillerError, ServiceUnavailable

log = logging.getLogger("ingest.websocket")

PATH = "/ws/pings"

# A frame whose pings were all refused for one of these counts toward the malformed limit: a
# client that keeps sending what can never be taken costs an error frame per ping, for nothing.
_REFUSED_CODES = frozenset({P.MALFORMED, P.OFF_SHIFT, P.TOO_OLD, P.OUT_OF_RANGE})

# Frames received while an auth or a control frame is being handled: past this many, the
# socket is not read until they are processed (the kernel holds the rest, not our memory).
_BACKLOG_PAUSE = 32


async def _set_sharing(pipeline, vol, pause: bool, out, was_paused: bool, commit_wait_s: float) -> bool:
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


async def _change_shift(pipeline, vol, start: bool, out) -> None:
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


class PingsConnection:
    """One authenticated (or authenticating) volunteer websocket on /ws/pings."""

    __slots__ = (
        "_proto",
        "_settings",
        "_pipeline",
        "_auth",
        "_relay",
        "_cap",
        "_ip",
        "_capped",
        "_auth_timer",
        "_busy",
        "_backlog",
        "_unread",
        "closed",
        "device",
        "vol",
        "_unregister",
        "_limits",
        "_frames",
        "_shift_changes",
        "_malformed_in_a_row",
        "_paused",
    )

    def __init__(self, proto, state, ip: str) -> None:
        self._proto = proto
        self._settings = settings = state["settings"]
        self._pipeline, self._auth, self._relay = state["pipeline"], state["auth"], state["relay"]
        self._cap, self._ip, self._capped = state["unauthenticated"], ip, False
        self._busy = False
        self._backlog: deque[bytes] | None = None
        self._unread = 0  # frames written while our write buffer was not empty
        self.closed = False
        self.device = self.vol = None
        self._unregister = None
        self._limits = limits_of(settings)  # shared with every connection and app request
        self._frames = TokenBucket(settings.ingest_frames_per_s, settings.ingest_frames_burst)
        self._shift_changes = TokenBucket(
            settings.ingest_shift_changes_per_min / 60.0, settings.ingest_shift_changes_burst
        )
        self._malformed_in_a_row = 0
        self._paused = False
        self._auth_timer = None
        # Before authentication a socket costs us and proves nothing: a few per address at once.
        if not self._cap.acquire(ip):
            # Accepted, then closed with 1013 ("try again later"): a client retries with its
            # backoff. A refused handshake (HTTP 403) would read as a bad credential, which
            # clients give up on, and phones behind one address reconnecting after a restart
            # must not give up.
            self.close(1013, "too many connections waiting to authenticate from this address: retry later")
            return
        self._capped = True
        self._auth_timer = proto.loop.call_later(settings.ingest_auth_timeout_s, self._auth_timed_out)

    # --- frames out ------------------------------------------------------------------------
    def put_nowait(self, frame: str) -> None:
        """Write a frame to the client now. A client that does not read makes our write buffer
        grow: past `ingest_outbox_max_frames` frames written into it, the connection closes."""
        if self.closed:
            return
        if self._proto.write_text(frame):
            self._unread = 0
            return
        self._unread += 1
        if self._unread > self._settings.ingest_outbox_max_frames:
            self.close(1008, f"more than {self._settings.ingest_outbox_max_frames} frames unread: read your frames")

    def _sink(self, seqs: list[int], ok: bool) -> None:  # called by the writer after the commit
        if ok:
            self.put_nowait(P.ack_frame(seqs))
        else:
            for s in seqs:
                self.put_nowait(P.error_frame(P.PingError(s, "rejected", "refused by the database")))

    def _relayed(self, frame: str) -> None:  # HQ's assignments for this volunteer (ingest/relay.py)
        self.put_nowait(frame)

    def _revoke(self) -> None:  # removed from the campaign (ingest/relay.py): no further ping taken
        self.close(1008, "access revoked")

    def close(self, code: int, reason: str) -> None:
        """Close after the frames already written; nothing more is taken or sent."""
        if not self.closed:
            self._proto.close_with(code, reason)
            self.lost()

    def lost(self) -> None:
        """The connection ended (or is closing): stop sending, give back the auth slot."""
        self.closed = True
        self._backlog = None
        if self._auth_timer is not None:
            self._auth_timer.cancel()
            self._auth_timer = None
        if self._capped:
            self._capped = False
            self._cap.release(self._ip)
        if self._unregister is not None:
            self._unregister()
            self._unregister = None

    # --- frames in -------------------------------------------------------------------------
    def received(self, data: bytes) -> None:
        if self.closed:
            return
        if self._busy:  # an auth or a control frame is in progress: keep the order
            backlog = self._backlog
            if backlog is None:
                backlog = self._backlog = deque()
            backlog.append(data)
            if len(backlog) >= _BACKLOG_PAUSE:
                self._proto.pause(True)
            return
        try:
            self._frame(data)
        except Exception:  # noqa: BLE001 - a bug of ours: say so, never leave the client hanging
            log.exception("pings frame failed")
            self.close(1011, "internal error")

    def _frame(self, data: bytes) -> None:
        if self.vol is None:
            if self._auth_timer is not None:
                self._auth_timer.cancel()
                self._auth_timer = None
            self._run(self._authenticate(data))
            return
        settings = self._settings
        if not self._frames.take(1)[0]:
            self.close(1013, f"more than {settings.ingest_frames_per_s:g} frames per second: send pings frames")
            return
        if len(data) > settings.ingest_max_frame_bytes:
            self.close(1009, f"frame larger than {settings.ingest_max_frame_bytes} bytes")
            return
        limits = self._limits
        try:
            pings, errors = wire.parse_pings(data, time.time(), limits)
        except P.PingError as err:
            pings, errors = [], [err]
        except P.Control as control:
            self._malformed_in_a_row = 0
            self._control(control.kind)
            return
        accepted = None
        if self._paused and pings:
            # Paused means not tracked: refuse, don't store. The client should not send.
            errors += [P.PingError(p.seq, P.PAUSED, "sharing is paused: send resume first") for p in pings]
        elif pings:
            # Warnings ("stored, flagged") follow the ack: they say what was stored.
            sink = P.warn_after_ack(self._sink, pings, limits.max_acc, self.put_nowait)
            accepted = self._pipeline.accept(self.vol, "ws", pings, sink)  # shift → rate → queue
            errors += accepted.off_shift
        if accepted is None or not (accepted.pings or accepted.dropped):
            pings = []
        if not pings and any(e.code in _REFUSED_CODES for e in errors):
            self._malformed_in_a_row += 1
            if self._malformed_in_a_row >= settings.ingest_malformed_limit:
                self.close(
                    1007,
                    f"{self._malformed_in_a_row} refused frames in a row (malformed, off shift, too old or out of range)",
                )
                return
        else:
            self._malformed_in_a_row = 0
        for err in errors:
            self.put_nowait(P.error_frame(err))
        if accepted is not None and accepted.dropped:
            self.put_nowait(P.throttle_frame(accepted.retry_ms, accepted.dropped))

    def _control(self, kind: str) -> None:
        if kind in ("shift_start", "shift_end"):
            granted, retry_ms = self._shift_changes.take(1)
            if granted:
                self._run(_change_shift(self._pipeline, self.vol, kind == "shift_start", self))
            else:  # each change is a database transaction: not executed, send it again later
                self.put_nowait(P.throttle_frame(retry_ms, []))
        else:
            self._run(self._sharing(kind == "pause"))

    async def _sharing(self, pause: bool) -> None:
        self._paused = await _set_sharing(
            self._pipeline, self.vol, pause, self, self._paused, self._settings.ingest_pause_commit_wait_s
        )

    # --- what awaits: auth and control frames, one at a time, later frames held --------------
    def _run(self, work) -> None:
        self._busy = True
        proto = self._proto
        task = proto.loop.create_task(self._then_backlog(work))
        proto.tasks.add(task)  # uvicorn's shutdown waits for it; and it is referenced
        task.add_done_callback(proto.on_task_complete)

    async def _then_backlog(self, work) -> None:
        try:
            await work
        except Exception:  # noqa: BLE001 - a bug of ours: say so, never leave the client hanging
            log.exception("pings control frame failed")
            self.close(1011, "internal error")
        self._busy = False
        backlog = self._backlog
        while backlog and not self._busy and not self.closed:
            self.received(backlog.popleft())
        if not self._busy and not self.closed:
            self._proto.pause(False)

    def _auth_timed_out(self) -> None:
        self._auth_timer = None
        if self.vol is None and not self._busy:
            self.close(1008, "no auth frame in time")

    async def _authenticate(self, data: bytes) -> None:
        """(device, volunteer) from the first frame, then `ready`; or closed with why."""
        try:
            # --- the token travels in the first frame, never in the URL (logs) ---
            token, slug = P.parse_auth(data)
            device = await self._auth.authenticate(token, campaign=slug, ip=self._ip)
            vol = await self._pipeline.volunteer(device.campaign_id, device.user_id)
        except P.PingError as err:
            self.close(1008, err.reason[:120])
            return
        except ServiceUnavailable:
            self.close(1013, "database unavailable, try again later")
            return
        except QuadrillerError as err:
            self.close(1008, err.detail[:120])
            return
        finally:
            if self._capped:
                self._capped = False
                self._cap.release(self._ip)
        if self.closed:
            return
        self.device, self.vol = device, vol
        settings = self._settings
        self.put_nowait(
            P.ready_frame(
                device.user_id,
                device.campaign,
                settings.ingest_max_frame_bytes,
                settings.ingest_rate_per_device,
                vol.shift_id,
                vol.shift_since,
            )
        )
        self._unregister = self._relay.register(vol.campaign_id, vol.user_id, self._relayed, self._revoke)
