"""Waiting for a websocket to be closed by the server, for the tests of what takes effect on every
server at once (revocation, erasure)."""

from __future__ import annotations

import asyncio
import time

import pytest
import websockets


async def closed_within(ws, seconds: float) -> tuple[int | None, float]:
    """(close code, seconds it took), reading and dropping frames meanwhile."""
    t0 = time.monotonic()
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), max(0.01, seconds - (time.monotonic() - t0)))
    return closed.value.rcvd.code if closed.value.rcvd else None, time.monotonic() - t0
