"""What the HTTP apps (OwnTracks, Traccar Client) share: one ping in, an answer after commit.

The apps carry no sequence number: the device timestamp in milliseconds is the seq (per source),
so a message the app sends twice is stored once. The HTTP response is the ack: it is sent only
once the row is committed, and a non-2xx answer makes the app send the message again.

Off shift, a fix is answered 200 but NOT stored, with the header `X-Quadriller-Not-Stored:
off_shift`: the apps cannot start a shift themselves, and an error status would make them resend
the same off-shift fix forever, holding back their queue.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import math
import time

from fastapi import Request
from fastapi.responses import Response

from ingest.auth import Device
from ingest.protocol import Limits, Ping, PingError, check_ping
from server.errors import QuadrillerError, ServiceUnavailable

MAX_BODY_BYTES = 65_536
KNOTS_TO_MS = 1852.0 / 3600.0
KMH_TO_MS = 1.0 / 3.6


class BadPing(QuadrillerError):
    status = 400
    title = "Bad ping"


class Throttled(QuadrillerError):
    status = 429
    title = "Too many pings"


def number(value, name: str, required: bool = False) -> float | None:
    """Form values are strings, JSON values numbers: accept both; '' and null mean absent."""
    if value is None or value == "":
        if required:
            raise BadPing(f"{name} is required", code="malformed")
        return None
    if isinstance(value, bool):
        raise BadPing(f"{name} must be a number", code="malformed")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise BadPing(f"{name} must be a number, got {value!r}", code="malformed") from None
    if required and not math.isfinite(v):
        raise BadPing(f"{name} must be finite", code="out_of_range")
    return v


def in_range(v: float | None, lo: float, hi: float | None) -> float | None:
    """Apps use -1 (or junk) for unknown speed, course, battery: unknown, not an error."""
    if v is None or not math.isfinite(v) or v < lo or (hi is not None and v > hi):
        return None
    return v


def parse_time(value) -> float:
    """Epoch seconds or milliseconds (number or digits), or ISO 8601 / 'yyyy-MM-dd HH:mm:ss'
    (UTC when no offset is given) -> epoch seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) or (
            isinstance(value, str) and value.replace(".", "", 1).isdigit()):
        t = float(value)
        return t / 1000.0 if t > 1e11 else t  # 1e11 s is year 5138; 1e11 ms is 1973
    if isinstance(value, str):
        try:
            d = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise BadPing(f"timestamp {value!r} is neither epoch seconds nor ISO 8601", code="malformed") from None
        if d.tzinfo is None:
            d = d.replace(tzinfo=dt.UTC)
        return d.timestamp()
    raise BadPing("timestamp must be epoch seconds or ISO 8601", code="malformed")


async def read_body(request: Request) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise BadPing(f"body larger than {MAX_BODY_BYTES} bytes", code="too_large")
    return body


NOT_STORED = "X-Quadriller-Not-Stored"


def answer(ok: Response, not_stored: str | None) -> Response:
    """The app's 200 answer; flagged when the fix was dropped as off shift."""
    if not_stored is None:
        return ok
    return Response(ok.body, status_code=ok.status_code, media_type=ok.media_type,
                    headers={NOT_STORED: not_stored})


async def store(request: Request, device: Device, source: str, ping: Ping) -> str | None:
    """Check, queue, and wait for the commit: None once stored, or why it was not stored but
    must not be resent ("off_shift"). Raises the HTTP error to answer."""
    st = request.state
    settings, pipeline = st.settings, st.pipeline
    try:
        check_ping(ping, time.time(), Limits.from_settings(settings))
    except PingError as err:
        raise BadPing(err.reason, code=err.code) from None
    vol = await pipeline.volunteer(device.campaign_id, device.user_id)
    committed: asyncio.Future = asyncio.get_running_loop().create_future()

    def sink(seqs: list[int], ok: bool) -> None:
        if not committed.done():
            committed.set_result(ok)

    accepted = pipeline.accept(vol, source, [ping], sink)  # shift → rate → queue, as the websocket
    if accepted.off_shift:
        return "off_shift"
    if accepted.dropped:
        # 429 for a flooding device, 503 when the store is behind: either way, send again later.
        retry_ms = accepted.retry_ms
        raise (ServiceUnavailable if accepted.queue_full else Throttled)(
            f"not stored, retry in {retry_ms} ms", retry_after_ms=retry_ms)
    try:
        ok = await asyncio.wait_for(asyncio.shield(committed), settings.ingest_http_commit_timeout_s)
    except TimeoutError:
        # Still queued (database down): the app will resend, and the resend dedupes.
        raise ServiceUnavailable("database unavailable; not yet stored, send again later") from None
    if not ok:
        raise BadPing("refused by the database", code="rejected")
    return None
