"""The /ws/live protocol's client frame (the server's frames are built as bytes in frames.py,
because they splice the deltas' JSON as published instead of re-encoding them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AuthFrame(BaseModel):
    """First frame from the viewer. The token travels here, never in the URL (logs, history)."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["auth"]
    token: str = Field(min_length=1, max_length=200)
    campaign: str = Field(min_length=1, max_length=100)
    district: str | None = Field(default=None, max_length=50)
    team: int | None = None
    # "ack": the viewer acknowledges each frame ({"type": "ack"}) once it has drawn it, and the
    # server sends the next one only then, merging meanwhile. A browser that draws slower than
    # frames arrive (a big screen on a weak GPU) then stays current instead of queueing frames.
    flow: Literal["ack"] | None = None
    # "binary": deltas as compact binary frames (server/live/binary.py); the snapshot stays JSON.
    encoding: Literal["json", "binary"] = "json"
    # {"bbox": [w, s, e, n], "zoom": z}: the viewer's view from the start (server/live/viewport.py),
    # validated on its own so that a bad one is answered with an error frame, not a refusal.
    view: dict | None = None
