from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Role = Literal["admin", "coordinator", "volunteer"]
ROLES: tuple[str, ...] = ("admin", "coordinator", "volunteer")


class User(BaseModel):
    id: int
    login: str
    name: str


class Membership(BaseModel):
    """A user acting inside one campaign, with the role they hold there."""

    campaign_id: int
    slug: str
    name: str
    role: Role
    user: User


class CampaignRole(BaseModel):
    slug: str
    name: str
    role: Role


class Me(BaseModel):
    login: str
    name: str
    campaigns: list[CampaignRole]


class NewUser(BaseModel):
    login: str
    name: str
    role: Role
    campaign: str
    token: str
    device_token: str


class DeviceToken(BaseModel):
    """What the OwnTracks / Traccar Client settings need (docs/protocol.md §5)."""

    login: str
    device_token: str
