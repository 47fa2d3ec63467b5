"""The outbox sends from a task that exists only while frames wait (ingest/outbox.py)."""

from __future__ import annotations

import asyncio

from ingest.outbox import Outbox


async def test_frames_go_out_in_order_and_an_idle_outbox_holds_no_task():
    sent: list[str | None] = []

    async def send(frame):
        await asyncio.sleep(0)  # a write that yields, as a websocket's does
        sent.append(frame)
        return True

    out = Outbox(100, send)
    assert not out.sending
    for i in range(5):
        out.put_nowait(str(i))
    assert out.sending
    out.put_nowait("5")  # while the drain runs: same task, in order
    await out.drained(1.0)
    assert sent == ["0", "1", "2", "3", "4", "5"]
    assert not out.sending and len(out) == 0
    out.put_nowait("6")
    await out.drained(1.0)
    assert sent[-1] == "6" and not out.sending


async def test_after_the_sender_stops_nothing_more_goes_out():
    sent: list[str | None] = []

    async def send(frame):
        sent.append(frame)
        return frame != "close"

    out = Outbox(100, send)
    for frame in ("a", "close", "b"):
        out.put_nowait(frame)
    await out.drained(1.0)
    out.put_nowait("c")
    await out.drained(1.0)
    assert sent == ["a", "close"] and not out.sending
