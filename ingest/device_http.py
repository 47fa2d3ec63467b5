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
import logging
import time

from fastapi import Request
from fastapi.responses import Response
from starlette.requests import ClientDisconnect

from ingest.auth import Device
from ingest.protocol import Limits, Ping, PingError, check_ping
from server.errors import QuadrillerError, ServiceUnavailable

log = logging.getLogger("ingest.apps")

MAX_BODY_BYTES = 65_536
KNOTS_TO_MS = 1852.0 / 3600.0
KMH_TO_MS = 1.0 / 3.6


class BadPing(QuadrillerError):
    status = 400
    title = "Bad ping"


class Throttled(QuadrillerError):
    status = 429
    title = "Too many pings"


def client_ip(request: Request) -> str:
    """The peer's address, the budget key of failed logins (uvicorn puts X-Forwarded-For here
    when the proxy is trusted: FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else ""


def checked(make, *args) -> Ping | None:
    """An app's message -> Ping through `make` (ingest/owntracks.py, ingest/traccar.py), its
    refusals as 400 problem details naming the field."""
    try:
        return make(*args)
    except PingError as err:
        raise BadPing(err.reason, code=err.code) from None


class ClientGone(QuadrillerError):
    """The client closed the connection before its body was read (incomplete, or complete but
    not yet handed over: uvicorn then drops it): nothing was parsed, so nothing is stored, and
    the app, which got no answer, resends the fix. A body read before the close is stored
    (answer or not): the resend then dedupes. Either way once, never twice. The answer goes
    nowhere; what matters is that this is an ordinary outcome, not an "Exception in ASGI
    application" with its traceback (67 of them in one run of issue 13)."""

    status = 400
    title = "Client disconnected"


async def read_body(request: Request) -> bytes:
    body = b""
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                raise BadPing(f"body larger than {MAX_BODY_BYTES} bytes", code="too_large")
    except ClientDisconnect:
        # One short line, no traceback: mobile networks drop connections all the time.
        log.info("%s: client disconnected before its request was read; nothing stored", request.url.path)
        raise ClientGone("client disconnected before its request was read", code="disconnected") from None
    return body


NOT_STORED = "X-Quadriller-Not-Stored"


def answer(ok: Response, not_stored: str | None) -> Response:
    """The app's 200 answer; flagged when the fix was dropped as off shift."""
    if not_stored is None:
        return ok
    return Response(ok.body, status_code=ok.status_code, media_type=ok.media_type, headers={NOT_STORED: not_stored})


async def store(
    request: Request, device: Device, source: str, ping: Ping, names: dict[str, str] | None = None
) -> str | None:
    """Check, queue, and wait for the commit: None once stored, or why it was not stored but
    must not be resent ("off_shift"). Raises the HTTP error to answer."""
    st = request.state
    settings, pipeline = st.settings, st.pipeline
    try:
        check_ping(ping, time.time(), Limits.from_settings(settings), names)
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
            f"not stored, retry in {retry_ms} ms", retry_after_ms=retry_ms
        )
    try:
        ok = await asyncio.wait_for(asyncio.shield(committed), settings.ingest_http_commit_timeout_s)
    except TimeoutError:
        # Still queued (database down): the app will resend, and the resend dedupes.
        raise ServiceUnavailable("database unavailable; not yet stored, send again later") from None
    if not ok:
        raise BadPing("refused by the database", code="rejected")
    return None
