from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from server.auth.schemas import Role


class NewInvite(BaseModel):
    role: Role = "volunteer"
    team: str | None = Field(default=None, max_length=80, description="a team of the campaign, by name")
    hours: int = Field(default=72, ge=1, le=24 * 30, description="the link works this long, once")
    model_config = {"extra": "forbid"}


class InviteCreated(BaseModel):
    id: int
    url: str = Field(description="the one-time link, shown once")
    qr_svg: str
    role: Role
    team: str | None
    expires_at: dt.datetime


class InviteRow(BaseModel):
    id: int
    role: Role
    team: str | None
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    used_by: str | None


class Accept(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    model_config = {"extra": "forbid"}


class Accepted(BaseModel):
    campaign: str
    login: str
    name: str
    role: Role
    token: str = Field(description="the device token, shown once: the phone keeps it")
    devices: dict = Field(description="settings for OwnTracks and Traccar Client")
    devices_qr_svg: dict[str, str] = Field(description="the same as QR codes (SVG), per app")


class TrackingApps(BaseModel):
    campaign: str
    login: str
    devices: dict = Field(description="settings for OwnTracks and Traccar Client (with the new device token)")
    devices_qr_svg: dict[str, str] = Field(description="the same as QR codes (SVG), per app")
