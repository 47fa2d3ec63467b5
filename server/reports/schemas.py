from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

MAX_DOORS = 5000  # a tour of a day is a few hundred doors; more is a typo
MAX_TAGS = 20
# A topic, not a sentence: letters (accents too), digits, spaces, hyphens and apostrophes.
TAG = re.compile(r"^[^\W_][\w' -]{0,39}$")

StationSource = Literal["given", "assignment", "pings"]


class NewReport(BaseModel):
    doors_knocked: int = Field(ge=0, le=MAX_DOORS)
    doors_opened: int = Field(ge=0, le=MAX_DOORS, description="at most doors_knocked")
    contacts: int = Field(ge=0, le=MAX_DOORS, description="new contacts (people who left their details)")
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS,
                            description="topics that came up at the doors, e.g. 'housing'; no free text")
    station: str | None = Field(default=None, max_length=64,
                                description="the polling station canvassed; default: where the shift's pings "
                                            "fell, else the team's assignment")
    client_id: uuid.UUID | None = Field(default=None, description="the phone's id for this report: a resend "
                                                                  "with the same id is stored once")

    model_config = {"extra": "forbid"}

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str]) -> list[str]:
        out: list[str] = []
        for raw in tags:
            tag = " ".join(raw.split()).lower()
            if not TAG.match(tag):
                raise ValueError(f"tag {raw!r}: a topic of 1 to 40 letters, digits, spaces or hyphens")
            if tag not in out:
                out.append(tag)
        return out

    @model_validator(mode="after")
    def _opened_within_knocked(self) -> NewReport:
        if self.doors_opened > self.doors_knocked:
            raise ValueError(f"doors_opened ({self.doors_opened}) cannot exceed doors_knocked ({self.doors_knocked})")
        return self


class Report(BaseModel):
    id: int
    volunteer: int
    name: str
    shift: int | None
    team: int | None
    station: str | None
    station_name: str | None
    station_source: StationSource | None = Field(description="how the station was chosen")
    doors_knocked: int
    doors_opened: int
    contacts: int
    tags: list[str]
    created_at: dt.datetime


class ReportCreated(BaseModel):
    report: Report
    created: bool = Field(description="false: this client_id was already stored, this is that report")
    live_notified: bool = Field(True, description="HQ's live feed was told; false when Redis is down")


class ReportList(BaseModel):
    since: dt.datetime
    until: dt.datetime
    reports: list[Report]


class StationTotals(BaseModel):
    station: str | None
    reports: int
    volunteers: int
    doors_knocked: int
    doors_opened: int
    contacts: int


class Totals(BaseModel):
    since: dt.datetime
    until: dt.datetime
    all: StationTotals = Field(description="the whole campaign (station: null)")
    stations: list[StationTotals] = Field(description="per polling station; station null: reports without one")
