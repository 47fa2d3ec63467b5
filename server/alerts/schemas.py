from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Kind = Literal["out_of_zone", "idle", "stale", "low_battery", "sos"]


class AlertSettings(BaseModel):
    out_of_zone_min: float = Field(10.0, gt=0, le=600, description="out of the assigned area for longer than this")
    idle_min: float = Field(20.0, gt=0, le=600, description="within 50 m for longer than this, on shift")
    stale_min: float = Field(10.0, gt=0, le=600, description="no ping for longer than this, on shift")
    low_battery: float = Field(0.15, gt=0, lt=1, description="battery level (0..1) below which to alert")
    updated_at: dt.datetime | None = None


class Alert(BaseModel):
    id: int
    volunteer: int
    volunteer_name: str | None = None
    team: int | None
    team_name: str | None = None
    kind: Kind
    lon: float | None
    lat: float | None
    detail: str
    raised_at: dt.datetime
    acked_by: int | None
    acked_by_name: str | None = None
    acked_at: dt.datetime | None
    cleared_at: dt.datetime | None
    coordinator: str | None = Field(None, description="login of the team's coordinator, told as well as HQ's feed")
    coordinator_id: int | None = Field(None, exclude=True)  # whose phone the relay tells (not shown)


class SosRequest(BaseModel):
    id: str = Field(
        min_length=8,
        max_length=64,
        description="the press's id, made by the phone: a resend from its outbox is stored once",
    )
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    note: str = Field("", max_length=200)


class SosResult(BaseModel):
    alert: Alert
    created: bool = Field(description="false: this press had already arrived")
    notified: bool = Field(description="HQ's feed was told (false: Redis down; the alert is stored)")
