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
from typing import NamedTuple
from urllib.parse import unquote_plus

from fastapi.responses import Response

from ingest.auth import Device
from ingest.protocol import Limits, Ping, PingError, check_ping
from server.errors import QuadrillerError, ServiceUnavailable
from server.settings import Settings

log = logging.getLogger("ingest.apps")

MAX_BODY_BYTES = 65_536
KNOTS_TO_MS = 1852.0 / 3600.0
KMH_TO_MS = 1.0 / 3.6
NOT_STORED = "X-Quadriller-Not-Stored"


class BadPing(QuadrillerError):
    status = 400
    title = "Bad ping"


class Throttled(QuadrillerError):
    status = 429
    title = "Too many pings"


class ClientGone(QuadrillerError):
    """The client closed the connection before its body was read (incomplete, or complete but
    not yet handed over: uvicorn then drops it): nothing was parsed, so nothing is stored, and
    the app, which got no answer, resends the fix. A body read before the close is stored
    (answer or not): the resend then dedupes. Either way once, never twice. The answer goes
    nowhere; what matters is that this is an ordinary outcome, not an "Exception in ASGI
    application" with its traceback (67 of them in one run of issue 13)."""

    status = 400
    title = "Client disconnected"


class Answer(NamedTuple):
    """An app route's 200 answer; `not_stored` flags a fix dropped as off shift."""

    body: bytes
    media_type: str | None
    not_stored: str | None = None


class AppRequest:
    """What the app routes read of an HTTP request, straight from the ASGI scope: served by
    ingest/app_routes.py without FastAPI's routing, dependency resolution and Request (about
    as much CPU per request as the rest of the route, issue 13's profile)."""

    __slots__ = ("scope", "receive", "state")

    def __init__(self, scope: dict, receive) -> None:
        self.scope, self.receive = scope, receive
        self.state: dict = scope["state"]  # the lifespan's State (ingest/app.py)

    @property
    def method(self) -> str:
        return self.scope["method"]

    def header(self, name: bytes) -> str:
        """A header's value (`name` in lower case, as ASGI gives them), '' when absent."""
        for key, value in self.scope["headers"]:
            if key == name:
                return value.decode("latin-1")
        return ""

    def query(self) -> dict[str, str]:
        """The query parameters, as Starlette decodes them (the last of a repeated name wins)."""
        return form_fields(self.scope["query_string"].decode("latin-1"))

    def client_ip(self) -> str:
        """The peer's address, the budget key of failed logins (uvicorn puts X-Forwarded-For
        here when the proxy is trusted: FORWARDED_ALLOW_IPS)."""
        client = self.scope.get("client")
        return client[0] if client else ""

    async def body(self) -> bytes:
        """The whole body, at most MAX_BODY_BYTES (BadPing past it)."""
        body = b""
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                # One short line, no traceback: mobile networks drop connections all the time.
                log.info("%s: client disconnected before its request was read; nothing stored", self.scope["path"])
                raise ClientGone("client disconnected before its request was read", code="disconnected")
            body += message.get("body", b"")
            if len(body) > MAX_BODY_BYTES:
                raise BadPing(f"body larger than {MAX_BODY_BYTES} bytes", code="too_large")
            if not message.get("more_body", False):
                return body


def form_fields(text: str) -> dict[str, str]:
    """`dict(parse_qsl(text, keep_blank_values=True))`, the last of a repeated name winning, at
    a fraction of its cost: an OsmAnd request carries about ten fields, none of them escaped, and
    parse_qsl unquotes every name and value (a quarter of the route's CPU in the profile)."""
    fields: dict[str, str] = {}
    for pair in text.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if "%" in pair or "+" in pair:
            name, value = unquote_plus(name), unquote_plus(value)
        fields[name] = value
    return fields


def as_response(answer: Answer) -> Response:
    """The answer as a Starlette response (the FastAPI routes that document the app routes)."""
    headers = {NOT_STORED: answer.not_stored} if answer.not_stored else None
    return Response(answer.body, media_type=answer.media_type, headers=headers)


def checked(make, *args) -> Ping | None:
    """An app's message -> Ping through `make` (ingest/owntracks.py, ingest/traccar.py), its
    refusals as 400 problem details naming the field."""
    try:
        return make(*args)
    except PingError as err:
        raise BadPing(err.reason, code=err.code) from None


_limits: tuple[Settings, Limits] | None = None


def limits_of(settings: Settings) -> Limits:
    """Limits.from_settings, built once per Settings rather than per request or websocket
    connection (ingest/websocket.py): they only read it."""
    global _limits
    # Read once into a local: ingest servers with other Settings in other threads of one
    # process (the tests') may replace the cache between the check and the return.
    cached = _limits
    if cached is None or cached[0] is not settings:
        cached = _limits = (settings, Limits.from_settings(settings))
    return cached[1]


async def store(
    state: dict, device: Device, source: str, ping: Ping, names: dict[str, str] | None = None
) -> str | None:
    """Check, queue, and wait for the commit: None once stored, or why it was not stored but
    must not be resent ("off_shift"). Raises the HTTP error to answer."""
    settings, pipeline = state["settings"], state["pipeline"]
    try:
        check_ping(ping, time.time(), limits_of(settings), names)
    except PingError as err:
        raise BadPing(err.reason, code=err.code) from None
    vol = await pipeline.volunteer(device.campaign_id, device.user_id)
    loop = asyncio.get_running_loop()
    committed: asyncio.Future = loop.create_future()  # True/False from the commit, None on timeout

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
    # A timer on the future itself rather than wait_for(shield(...)): two futures, a task-like
    # wrapper and their callbacks less per request, and a commit after the timeout is ignored.
    timer = loop.call_later(settings.ingest_http_commit_timeout_s, _time_out, committed)
    try:
        ok = await committed
    finally:
        timer.cancel()
    if ok is None:
        # Still queued (database down): the app will resend, and the resend dedupes.
        raise ServiceUnavailable("database unavailable; not yet stored, send again later")
    if not ok:
        raise BadPing("refused by the database", code="rejected")
    return None


def _time_out(committed: asyncio.Future) -> None:
    if not committed.done():
        committed.set_result(None)
