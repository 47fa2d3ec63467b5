"""/ws/live reads no large frame before authentication: the websocket layer closes with 1009
(item 5 of the hardening issue), as `quadriller serve` configures it."""

from __future__ import annotations

import asyncio

import pytest
import websockets

from server.app import HQ_WS_MAX_BYTES, uvicorn_config
from tests.servers import UvicornThread, free_port


async def test_large_frame_before_auth_closes_1009(settings):
    server = await asyncio.to_thread(
        UvicornThread(
            uvicorn_config(settings.model_copy(update={"host": "127.0.0.1", "port": free_port()}), log_level="warning")
        ).start
    )
    try:
        async with websockets.connect(
            f"ws://127.0.0.1:{server.port}/ws/live", max_size=None, compression="deflate"
        ) as ws:
            # highly compressible: a few KB on the wire, far more once inflated
            await ws.send("{" + " " * (HQ_WS_MAX_BYTES * 64) + "}")
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    finally:
        await asyncio.to_thread(server.stop)
