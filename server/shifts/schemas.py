from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

# consent: the volunteer withdrew their location consent; revoked: removed from the campaign or erased
EndedBy = Literal["volunteer", "hq", "timeout", "consent", "revoked"]


class Shift(BaseModel):
    id: int
    volunteer: int = Field(description="the volunteer's user id")
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    ended_by: EndedBy | None = None
    name: str | None = Field(default=None, description="the volunteer's name (HQ listings)")


class ShiftChange(BaseModel):
    """The answer to starting or ending a shift."""

    shift: Shift
    created: bool = Field(False, description="a new shift was opened (false: it was already open)")
    live_notified: bool = Field(True, description="HQ's live map was told; false when Redis is down")


class CurrentShift(BaseModel):
    shift: Shift | None


class OnShift(BaseModel):
    id: int
    volunteer: int
    name: str
    team: int | None
    started_at: dt.datetime


class ShiftList(BaseModel):
    shifts: list[Shift]
