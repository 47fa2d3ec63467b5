"""/ws/pings served by the websocket protocol itself (ingest/ws_protocol.py): no task per
connection, and frames that uvicorn's ASGI path refused now get the protocol's own answers."""

from __future__ import annotations

import asyncio
import contextlib

import orjson

from tests.ingest.conftest import connected, ping_frame, recv_until
from tests.servers import until


async def test_idle_authenticated_connections_hold_no_task(ingest, volunteer):
    tasks = ingest.server.server_state.tasks

    async def no_task() -> bool:
        return not tasks

    async with contextlib.AsyncExitStack() as stack:
        await until(no_task, what="no server task left from earlier tests")
        for _ in range(10):
            ws, _ready = await stack.enter_async_context(connected(ingest.ws_url, volunteer["token"]))
        await ws.send(ping_frame(1))
        assert (await recv_until(ws, "ack"))["seqs"] == [1]
        await asyncio.sleep(0.2)  # whatever the ack or the shift left behind has ended
        # Through ASGI each connection was a task (uvicorn's run_asgi) until it closed.
        assert len(tasks) == 0


async def test_a_text_frame_that_is_not_utf8_is_malformed_and_the_connection_stays(ingest, volunteer):
    async with connected(ingest.ws_url, volunteer["token"]) as (ws, _):
        await ws.send(b'{"type":"ping","seq":1,"lat":\xff}', text=True)
        error = await recv_until(ws, "error")
        assert error["code"] == "malformed" and error["seq"] is None
        # uvicorn closed such a connection (1007); here the next good ping is taken as usual.
        await ws.send(ping_frame(2))
        assert orjson.loads(await ws.recv()) == {"type": "ack", "seqs": [2]}
