from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class LocationConsent(BaseModel):
    version: str = Field(description="the current text's version")
    fr: str
    en: str
    agreed: bool = Field(description="I have a standing consent to the current version")
    agreed_version: str | None = Field(description="the version of my standing consent, if any")
    agreed_at: dt.datetime | None


class Agree(BaseModel):
    version: str = Field(max_length=40)
    model_config = {"extra": "forbid"}


class Withdrawn(BaseModel):
    withdrawn: bool = Field(description="false: there was no standing consent")
    ended_shift: int | None = Field(description="the open shift ended by the withdrawal")


class MemberConsent(BaseModel):
    volunteer: int
    name: str
    role: str
    version: str | None
    agreed_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    current: bool = Field(description="a standing consent to the current text")
