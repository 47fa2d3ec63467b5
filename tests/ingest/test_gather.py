"""ingest.frames.gather_more: how long a tick gathers frames before its batch.

The margins are wide (a 1 s tick against 20 ms steps) so that a loaded machine cannot turn
one case into the other; what is checked is the policy, not a speed."""

from __future__ import annotations

import asyncio
import time

from ingest.frames import gather_more


async def _arrivals(inbox: list, every_s: float, count: int) -> None:
    for i in range(count):
        await asyncio.sleep(every_s)
        inbox.append(i)


async def _gathered_while_streaming(inbox: list, **policy) -> float:
    """Seconds gather_more took while a phone-like stream added a frame every 5 ms."""
    stream = asyncio.create_task(_arrivals(inbox, 0.005, 10_000))
    try:
        t0 = time.monotonic()
        await gather_more(inbox, **policy)
        return time.monotonic() - t0
    finally:
        stream.cancel()


async def test_a_quiet_inbox_ends_the_gathering_after_one_step() -> None:
    # An app's request waits for its commit: with nothing more arriving, the tick goes at once.
    inbox = ["waiting request"]
    t0 = time.monotonic()
    await gather_more(inbox, tick_s=1.0, gap_s=0.02)
    assert time.monotonic() - t0 < 0.5


async def test_steady_arrivals_gather_for_the_whole_tick() -> None:
    # Phones stream pings without waiting for acks: each step brings more, so the tick runs on.
    inbox = ["first"]
    waited = await _gathered_while_streaming(inbox, tick_s=0.3, gap_s=0.05)
    assert 0.29 <= waited < 1.0
    assert len(inbox) > 10


async def test_gap_zero_always_waits_the_whole_tick() -> None:
    inbox = ["waiting request"]
    t0 = time.monotonic()
    await gather_more(inbox, tick_s=0.3, gap_s=0.0)
    assert time.monotonic() - t0 >= 0.29


async def test_arrivals_that_stop_end_the_gathering_one_step_later() -> None:
    inbox = ["first"]
    burst = asyncio.create_task(_arrivals(inbox, 0.01, 5))
    t0 = time.monotonic()
    await gather_more(inbox, tick_s=2.0, gap_s=0.1)
    waited = time.monotonic() - t0
    await burst
    assert len(inbox) == 6  # the burst (50 ms) was gathered whole
    assert waited < 1.0


async def test_an_app_request_in_the_tick_cuts_the_gathering_short() -> None:
    # Phones keep streaming, but an OwnTracks request waits for this tick's commit: the tick
    # gathers app_tick_s at most from then on, not the whole tick_s.
    app_waiting = False

    async def app_arrives() -> None:
        nonlocal app_waiting
        await asyncio.sleep(0.05)
        app_waiting = True

    arrival = asyncio.create_task(app_arrives())
    waited = await _gathered_while_streaming(
        ["ws frame"], tick_s=2.0, gap_s=0.02, app_tick_s=0.2, apps_waiting=lambda: app_waiting
    )
    await arrival
    assert 0.19 <= waited < 1.0


async def test_without_an_app_request_the_app_tick_does_not_apply() -> None:
    waited = await _gathered_while_streaming(
        ["ws frame"], tick_s=0.5, gap_s=0.02, app_tick_s=0.05, apps_waiting=lambda: False
    )
    assert waited >= 0.49
