"""One websocket's outgoing frames, bounded: a client that stops reading must not grow the
server's memory. Past `max_frames` waiting, further frames are dropped and `overflowed` is set:
the connection closes it (ingest/websocket.py), and the client resends what was not acked."""

from __future__ import annotations

import asyncio


class Outbox:
    __slots__ = ("_queue", "max_frames", "overflowed")

    def __init__(self, max_frames: int) -> None:
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.max_frames = max_frames
        self.overflowed = False

    def put_nowait(self, frame: str) -> None:
        """Queue a frame for the client; dropped (and overflowed set) when too many wait."""
        if self._queue.qsize() >= self.max_frames:
            self.overflowed = True
            return
        self._queue.put_nowait(frame)

    def put_control(self, item: str | None) -> None:
        """What the sender must see whatever the bound: its end (None) or a close order."""
        self._queue.put_nowait(item)

    async def get(self) -> str | None:
        return await self._queue.get()

    def __len__(self) -> int:
        return self._queue.qsize()
