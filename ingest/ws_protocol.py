"""uvicorn's sans-I/O websocket protocol, with /ws/pings served here instead of through ASGI.

On /ws/pings the frames parsed by websockets' `ServerProtocol` go straight to the connection's
`PingsConnection` (ingest/websocket.py), and its frames are written straight to the transport:
no ASGI message dicts, no receive queue, no task per connection, no Starlette or FastAPI
machinery per frame. That machinery was about 40 % of the ingest's CPU per ping (issue 13,
docs/benchmarks.md "Ingest"). Every other path (the apps' HTTP routes are not websockets at
all; any other websocket path) keeps uvicorn's normal handling, so FastAPI still answers them.
"""

from __future__ import annotations

import logging
import socket

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState
from websockets.http11 import Request

from ingest.websocket import PATH, PingsConnection

log = logging.getLogger("ingest.websocket")

# A client that never answers our close frame is dropped after this long (uvicorn's own wait).
CLOSE_TIMEOUT_S = 10.0
# The kernel's send buffer of a /ws/pings socket (Linux doubles it). Acks and errors are a few
# KB per second at most; left to autotuning, loopback grew it to 4 MB, so a client that does
# not read its frames was noticed (our write buffer growing) only after megabytes.
SEND_BUFFER_BYTES = 32 * 1024


def frame_header(length: int) -> bytes:
    """RFC 6455 header of an unmasked, final text frame of `length` bytes (server to client)."""
    if length < 126:
        return bytes((0x81, length))
    if length < 65536:
        return b"\x81\x7e" + length.to_bytes(2, "big")
    return b"\x81\x7f" + length.to_bytes(8, "big")


class PingsProtocol(WebSocketsSansIOProtocol):
    """One websocket connection; /ws/pings is driven by a PingsConnection, the rest by ASGI."""

    pings: PingsConnection | None = None

    def handle_connect(self, event: Request) -> None:
        state = self.app_state
        if event.path.partition("?")[0] != PATH or "pipeline" not in state:
            super().handle_connect(event)
            return
        self.request = event
        self.response = self.conn.accept(event)
        self.handshake_initiated = True
        self.handshake_complete = True
        self._log_handshake(event.path, "[accepted]" if self.response.status_code == 101 else self.response.status_code)
        if self.response.status_code != 101:  # not a valid websocket handshake: the 4xx is sent
            self.close_sent = True
            self.conn.send_response(self.response)
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.transport.close()
            return
        del self.response.headers["Date"]
        self.response.headers.update(
            [(name.decode("latin-1"), value.decode("latin-1")) for name, value in self.default_headers]
        )
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
        self.conn.send_response(self.response)
        self.transport.write(b"".join(self.conn.data_to_send()))
        # uvicorn keeps both for its ASGI `send`, which this connection never uses: their
        # headers would stay in memory for the connection's life.
        del self.request, self.response
        self.start_keepalive()
        host = self.client[0] if self.client else ""
        self.pings = PingsConnection(self, state, host)

    def _log_handshake(self, path: str, outcome: object) -> None:
        """The line uvicorn writes for a websocket it accepts or refuses, as it writes it (its
        query string is cut off by server/accesslog.py's filter: tokens and positions)."""
        if self.logger.isEnabledFor(logging.INFO):
            client = f"{self.client[0]}:{self.client[1]}" if self.client else "-"
            self.logger.info('%s - "WebSocket %s" %s', client, path, outcome)

    def send_receive_event_to_app(self) -> None:
        pings = self.pings
        if pings is None:
            super().send_receive_event_to_app()
            return
        data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
        self.frames = []
        if not self.close_sent:
            # Text or binary alike: orjson reads UTF-8 bytes and refuses invalid ones
            # (a malformed frame, answered with an error frame).
            pings.received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self.pings is not None:
            self.pings.lost()

    def write_text(self, frame: str) -> bool:
        """Write one text frame now; True while our write buffer is empty (the client reads)."""
        transport = self.transport
        if self.close_sent or transport.is_closing():
            return True
        data = frame.encode()
        transport.write(frame_header(len(data)) + data)
        return not transport.get_write_buffer_size()

    def close_with(self, code: int, reason: str) -> None:
        """Send a close frame after what is already written; drop the socket if unanswered."""
        if self.close_sent or self.transport.is_closing():
            return
        try:
            self.conn.send_close(code, reason)
        except InvalidState:  # the peer's close came first: the connection is ending anyway
            return
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.close_sent = True
        if self.read_paused:  # read the peer's answering close frame
            self.read_paused = False
            self.transport.resume_reading()
        self.close_timer = self.loop.call_later(CLOSE_TIMEOUT_S, self.transport.abort)

    def pause(self, paused: bool) -> None:
        """Stop (or restart) reading this socket: frames wait in the kernel, not in our memory."""
        if paused != self.read_paused and not self.transport.is_closing():
            self.read_paused = paused
            if paused:
                self.transport.pause_reading()
            else:
                self.transport.resume_reading()
