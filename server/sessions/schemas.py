from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from server.auth.schemas import User


class Session(BaseModel):
    """A session token, shown once. The relative times let a browser whose clock is off schedule
    its renewal right."""

    token: str = Field(description="`qds_…`: send it as `Authorization: Bearer`, and in /ws/live's auth frame")
    expires_at: dt.datetime
    expires_in_s: float = Field(description="seconds until it expires unless renewed")
    ends_at: dt.datetime = Field(description="renewal never goes past this: then sign in again")
    ends_in_s: float


class SessionUser(User):
    """The caller of a request made with a session token."""

    session_id: int
