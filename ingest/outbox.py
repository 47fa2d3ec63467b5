"""One websocket's outgoing frames, bounded: a client that stops reading must not grow the
server's memory. Past `max_frames` waiting, further frames are dropped and `overflowed` is set:
the connection closes it (ingest/websocket.py), and the client resends what was not acked.

Frames go out through `send` from a task that exists only while frames wait: an idle phone
(one ping every 30 s) holds a deque and no task, no asyncio.Queue. A task and a queue per
connection cost about 4 KB of each connection's memory (docs/benchmarks.md, "Connections and
memory"). Order is kept: one drain task at a time takes the frames in turn.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable

# `send(frame)` returns False when nothing more must go out (the end, a close, a client gone).
Send = Callable[[str | None], Awaitable[bool]]


class Outbox:
    __slots__ = ("_frames", "_send", "_task", "max_frames", "overflowed")

    def __init__(self, max_frames: int, send: Send | None = None) -> None:
        self._frames: deque[str | None] = deque()
        self._send = send  # None: frames are only held (unit tests)
        self._task: asyncio.Task | None = None
        self.max_frames = max_frames
        self.overflowed = False

    def put_nowait(self, frame: str) -> None:
        """Queue a frame for the client; dropped (and overflowed set) when too many wait."""
        if len(self._frames) >= self.max_frames:
            self.overflowed = True
            return
        self._frames.append(frame)
        self._kick()

    def put_control(self, item: str | None) -> None:
        """What the sender must see whatever the bound: its end (None) or a close order."""
        self._frames.append(item)
        self._kick()

    def _kick(self) -> None:
        if self._task is None and self._send is not None:
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while self._frames and self._send is not None:
                if not await self._send(self._frames.popleft()):
                    self._send = None  # done: later frames are dropped, as by a dead sender
                    self._frames.clear()
        finally:
            self._task = None

    async def drained(self, timeout: float) -> None:
        """Let the frames already queued go out, for `timeout` seconds at most (then stop)."""
        task = self._task
        if task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait({task}, timeout=timeout)
            if not task.done():
                self.cancel()

    def cancel(self) -> None:
        self._send = None
        if self._task is not None:
            self._task.cancel()

    @property
    def sending(self) -> bool:
        """A drain task exists (frames are waiting or going out)."""
        return self._task is not None

    def __len__(self) -> int:
        return len(self._frames)
